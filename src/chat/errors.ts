// Errors meant for the person in chat: a stable code to branch on and a message to show as is.
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

/** The actor may not do this; nothing was changed. */
export class PermissionDenied extends ChatError {
  constructor(message: string) {
    super('steward_permission_denied', message);
    this.name = 'PermissionDenied';
  }
}

/** The input was malformed or out of bounds; nothing was changed. */
export class InvalidInput extends ChatError {
  constructor(message: string) {
    super('steward_invalid_input', message);
    this.name = 'InvalidInput';
  }
}

export class NotFound extends ChatError {
  constructor(message: string) {
    super('steward_not_found', message);
    this.name = 'NotFound';
  }
}
