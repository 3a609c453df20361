/** An error a person can act on: a stable code, an HTTP status, a plain message. */
export class PeelError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'PeelError';
    this.code = code;
    this.status = status;
  }
}

export const notFound = (what: string) => new PeelError('not_found', `${what} was not found.`, 404);
export const forbidden = (message = 'Your role may not do this.') => new PeelError('forbidden', message, 403);
export const unauthenticated = (message = 'Sign in first.') => new PeelError('unauthenticated', message, 401);
