// Every code a Steward error can carry, in one list: callers (chat replies, the CLI, HTTP handlers,
// the delivery worker) branch on the code, never on the message or the class name.
export const ERROR_CODES = {
  permissionDenied: 'steward_permission_denied',
  invalidInput: 'steward_invalid_input',
  notFound: 'steward_not_found',
  configInvalid: 'steward_config_invalid',
  migrationFailed: 'steward_migration_failed',
  tokenInvalid: 'steward_token_invalid',
  deliveryRateLimited: 'steward_delivery_rate_limited',
  deliveryPermanent: 'steward_delivery_permanent',
  httpBodyTooLarge: 'steward_http_body_too_large',
  cliProblem: 'steward_cli_problem',
  unknownAction: 'steward_unknown_action',
  embeddedDatabaseBusy: 'steward_embedded_database_busy',
  installationNotLinked: 'steward_installation_not_linked',
  databaseUnavailable: 'steward_database_unavailable',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
