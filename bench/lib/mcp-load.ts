// A load generator for the MCP endpoint as an assistant calls it over Streamable HTTP: JSON-RPC
// `tools/call` requests with a bearer token, from N concurrent senders over keep-alive connections.
// A request counts as answered when it returns 200 with a result that is not a tool error.
import type { Agent } from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { postOn, runLoad, type LoadRun } from './slack-load.js';

export interface McpLoadOptions {
  /** Base URL of the server; requests go to `${url}/mcp`. */
  url: string;
  token: string;
  concurrency: number;
  durationMs: number;
  /** The tool call sender number `sender` makes next. */
  call(sender: number): { name: string; arguments: Record<string, unknown> };
}

export function toolCallBody(id: number, call: { name: string; arguments: Record<string, unknown> }): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: call });
}

/** One POST to /mcp on a keep-alive agent, as an assistant sends it; resolves with the status and the body. */
export function postMcp(agent: Agent, url: URL, token: string, body: string): Promise<{ status: number; body: string }> {
  return postOn(agent, url, '/mcp', body, {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${token}`,
    'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
  });
}

/** Whether an answer is a tool result (not a JSON-RPC error, not a tool error). */
export function isToolResult(body: string): boolean {
  return body.includes('"result"') && !body.includes('"isError":true');
}

export function runMcpLoad(options: McpLoadOptions): Promise<LoadRun> {
  let id = 0;
  return runLoad({
    ...options,
    async send(agent, url, sender) {
      const answer = await postMcp(agent, url, options.token, toolCallBody(++id, options.call(sender)));
      return answer.status === 200 && isToolResult(answer.body) ? undefined : `HTTP ${answer.status} ${answer.body.slice(0, 160)}`;
    },
  });
}
