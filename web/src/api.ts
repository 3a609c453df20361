/** A small wrapper around fetch for Peel's JSON API. */

/** An error the API replied with; `message` is written for people and shown as is. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * The request carries credentials of its own (sign-in, change password,
   * confirm a code), so a 401 means they were wrong, not that the session ended.
   */
  credentialsInBody?: boolean;
  /** A 401 is an expected answer here (checking whether anyone is signed in). */
  signedOutIsFine?: boolean;
}

// The session's CSRF token, from the sign-in reply or /api/auth/me. Kept in
// memory only: the session cookie is HttpOnly, and this token must not outlive it.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** The token, for requests made other than through `api` (such as resumable uploads). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

let onSessionEnded: (() => void) | null = null;
/** Called when any request finds the session gone (401), to send the user to sign in. */
export function setSessionEndedHandler(handler: (() => void) | null): void {
  onSessionEnded = handler;
}

/** Codes that mean "no session", as opposed to "the credentials you sent are wrong". */
const SESSION_CODES = new Set(['unauthenticated', 'session_expired']);

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  // Only declare a JSON body when there is one: Fastify rejects an empty JSON body.
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Peel could not be reached. Check your connection and try again.');
  }

  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (response.ok) return data as T;

  const error = errorFrom(response, data);
  const sessionEnded =
    response.status === 401 &&
    !options.signedOutIsFine &&
    (!options.credentialsInBody || SESSION_CODES.has(error.code));
  if (sessionEnded) {
    csrfToken = null;
    onSessionEnded?.();
  }
  throw error;
}

function errorFrom(response: Response, data: unknown): ApiError {
  const body = data as { error?: { code?: unknown; message?: unknown } } | null;
  const code = typeof body?.error?.code === 'string' ? body.error.code : `http_${response.status}`;
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : `Something went wrong (the server replied ${response.status}). Try again later.`;
  return new ApiError(response.status, code, message);
}

/** The message to show for anything thrown by `api`. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again later.';
}

/** Builds a query string from the filled-in fields only. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
