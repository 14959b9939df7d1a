// Errors meant for the person in chat: a stable code to branch on and a message to show as is.
import { ERROR_CODES, type ErrorCode } from '../errors.js';

export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

/** The actor may not do this; nothing was changed. */
export class PermissionDenied extends ChatError {
  constructor(message: string) {
    super(ERROR_CODES.permissionDenied, message);
    this.name = 'PermissionDenied';
  }
}

/** The input was malformed or out of bounds; nothing was changed. */
export class InvalidInput extends ChatError {
  constructor(message: string) {
    super(ERROR_CODES.invalidInput, message);
    this.name = 'InvalidInput';
  }
}

export class NotFound extends ChatError {
  constructor(message: string) {
    super(ERROR_CODES.notFound, message);
    this.name = 'NotFound';
  }
}

/** The database cannot be reached (connection lost or refused); nothing was changed. */
export class DatabaseUnavailable extends ChatError {
  constructor(message = 'Steward cannot reach its database right now; nothing was changed. Try again in a moment.') {
    super(ERROR_CODES.databaseUnavailable, message);
    this.name = 'DatabaseUnavailable';
  }
}
