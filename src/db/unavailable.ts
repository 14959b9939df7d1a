// Whether an error means the database could not be reached (its connection was lost, refused or
// terminated), as opposed to a statement that failed: the first is worth trying again in a moment.

/** Postgres SQLSTATEs of a lost or refused connection: class 08, and the server shutting sessions down. */
const CONNECTION_STATES = /^(08...|57P01|57P02|57P03)$/;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What pg says, without a code, when a connection ended or cannot be used any more. */
const CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|terminating connection/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    if (code && (CONNECTION_STATES.test(code) || NETWORK_CODES.has(code))) return true;
    if (CONNECTION_MESSAGES.test(current.message)) return true;
  }
  return false;
}
