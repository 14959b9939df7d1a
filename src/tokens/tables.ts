// Table types of API tokens: one organisation each, stored as a hash, revocable, for one use.
import type { ColumnType, Generated } from 'kysely';

/** What a token may be used for: the KPI ingest API, or the MCP endpoint for AI assistants. */
export type TokenScope = 'ingest' | 'mcp';

export interface ApiTokensTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  requests_per_minute: Generated<number>;
  scope: ColumnType<TokenScope, TokenScope | undefined, TokenScope>;
  created_by: string | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface TokenTables {
  api_tokens: ApiTokensTable;
}
