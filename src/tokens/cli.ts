// `steward token create|revoke|list`: API tokens for the KPI ingest API and the MCP endpoint.
import type { Command } from 'commander';
import { CliError, orgOption, creating, resolveOrg, type CliContext } from '../cli-context.js';
import { createToken, listTokens, revokeToken, TOKEN_SCOPES, TokenError, type TokenScope } from './service.js';

/** A token rule the person broke is theirs to fix: shown like any CLI problem. */
function asCliError(error: unknown): never {
  throw error instanceof TokenError ? new CliError(error.message) : error;
}

export function registerTokenCommands(program: Command, cli: CliContext): void {
  const { out, withDatabase } = cli;
  const token = program.command('token').description('API tokens for the KPI ingest API or AI assistants over MCP (one organisation and one scope each, stored hashed)');
  token
    .command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'what the token is for, e.g. "data warehouse"')
    .addOption(orgOption())
    .option('--scope <scope>', 'ingest (the KPI ingest API) or mcp (read-only, for AI assistants); one token never grants the other', 'ingest')
    .option('--rate <requests>', 'requests per minute allowed (default 600)')
    .action(async (opts: { name: string; org?: string; scope: string; rate?: string }) => {
      const rate = opts.rate === undefined ? undefined : Number(opts.rate);
      if (rate !== undefined && !Number.isInteger(rate)) throw new CliError('--rate is a whole number of requests per minute');
      const scope = TOKEN_SCOPES.find((s): s is TokenScope => s === opts.scope);
      if (!scope) throw new CliError(`--scope is ${TOKEN_SCOPES.join(' or ')}`);
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, creating(cli));
        const created = await createToken(handle.db, { orgId, name: opts.name, scope, createdBy: 'cli', ...(rate !== undefined ? { requestsPerMinute: rate } : {}) }).catch(asCliError);
        out(created.token);
        process.stderr.write(`Token “${created.name}” (${created.id}) for organisation ${orgId}, scope ${created.scope}, ${created.requestsPerMinute} requests per minute. Keep it secret: it is shown only now.\n`);
      });
    });
  token
    .command('revoke <token>')
    .description('revoke a token by its id, name or prefix; requests with it are refused from now on')
    .addOption(orgOption())
    .action(async (which: string, opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const revoked = await revokeToken(handle.db, orgId, which, new Date()).catch(asCliError);
        if (!revoked) throw new CliError(`No active token “${which}” in this organisation (see \`steward token list\`)`);
        out(`Revoked token “${revoked.name}” (${revoked.prefix}…).`);
      });
    });
  token
    .command('list')
    .description('tokens of the organisation (never the secrets)')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const tokens = await listTokens(handle.db, await resolveOrg(handle, opts.org));
        if (tokens.length === 0) out('No API tokens yet: steward token create --name …');
        for (const t of tokens) {
          const state = t.revoked_at ? `revoked ${t.revoked_at.toISOString()}` : `active, ${t.requests_per_minute}/min, last used ${t.last_used_at?.toISOString() ?? 'never'}`;
          out(`${t.id}  ${t.prefix}…  ${t.scope}  ${t.name}  (${state})`);
        }
      });
    });
}
