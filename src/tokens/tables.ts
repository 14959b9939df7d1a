// Table types of API tokens: one organisation each, stored as a hash, revocable.
import type { Generated } from 'kysely';

export interface ApiTokensTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  requests_per_minute: Generated<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface TokenTables {
  api_tokens: ApiTokensTable;
}
