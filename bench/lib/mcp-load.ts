// A load generator for the MCP endpoint as an assistant calls it over Streamable HTTP: JSON-RPC
// `tools/call` requests with a bearer token, from N concurrent senders over keep-alive connections.
// A request counts as answered when it returns 200 with a result that is not a tool error.
import { Agent, request } from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { LoadRun } from './slack-load.js';

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

/** One POST to /mcp on a keep-alive agent; resolves with the status and the body. */
export function postMcp(agent: Agent, url: URL, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/mcp',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
          'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether an answer is a tool result (not a JSON-RPC error, not a tool error). */
export function isToolResult(body: string): boolean {
  return body.includes('"result"') && !body.includes('"isError":true');
}

export async function runMcpLoad(options: McpLoadOptions): Promise<LoadRun> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let id = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const sender = async (index: number) => {
    while (performance.now() < deadline) {
      const body = toolCallBody(++id, options.call(index));
      const sent = performance.now();
      try {
        const answer = await postMcp(agent, url, options.token, body);
        if (answer.status === 200 && isToolResult(answer.body)) latenciesMs.push(performance.now() - sent);
        else {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`HTTP ${answer.status} ${answer.body.slice(0, 160)}`);
        }
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => sender(i)));
  const durationMs = performance.now() - started;
  agent.destroy();
  return { latenciesMs, errors, durationMs, errorSamples };
}
