import { BRAND, type ErrorKind, isKind } from './brand';

/** Base of every error the SDK throws. */
export class CodexError extends Error {
  /** The kinds this error is, most general first (see `isCodexError` and friends). */
  declare readonly [BRAND]: readonly ErrorKind[];
  static readonly kind: ErrorKind = 'CodexError';
  /**
   * The Idempotency-Key the failed call sent (operations that take one): call again with
   * `{ idempotencyKey }` to retry without risking a duplicate.
   */
  declare idempotencyKey?: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const kinds: ErrorKind[] = [];
    for (let proto: unknown = new.target; typeof proto === 'function'; proto = Object.getPrototypeOf(proto)) {
      if (Object.hasOwn(proto, 'kind')) kinds.unshift((proto as unknown as { kind: ErrorKind }).kind);
    }
    Object.defineProperty(this, BRAND, { value: Object.freeze(kinds), enumerable: false });
    Object.defineProperty(this, 'name', {
      value: new.target.kind,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /** `instanceof` by brand, so it also holds for errors from another copy of the SDK or another realm. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return isKind(value, this.kind);
  }
}

/** The request was aborted through the caller's AbortSignal. Never retried. */
export class APIUserAbortError extends CodexError {
  static override readonly kind: ErrorKind = 'APIUserAbortError';
  constructor(options?: { cause?: unknown }) {
    super('The request was aborted.', options);
  }
}

/** The API could not be reached: DNS, refused or reset connection, TLS, or a non-HTTP failure. */
export class APIConnectionError extends CodexError {
  static override readonly kind: ErrorKind = 'APIConnectionError';
  constructor(message = 'Could not connect to the Codex API.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An attempt exceeded `timeout`, or the call exceeded its `deadline`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  static override readonly kind: ErrorKind = 'APIConnectionTimeoutError';
  constructor(message = 'The request timed out.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The API answered with a success status but a body that is not what the spec says: not JSON
 * (a proxy's HTML page, an empty or truncated body), `null`, or the wrong shape. Not retried: the
 * server answered, so the operation may have been applied; an operation that takes an
 * Idempotency-Key carries it in `idempotencyKey`, to retry safely.
 */
export class APIResponseValidationError extends CodexError {
  static override readonly kind: ErrorKind = 'APIResponseValidationError';
  /** HTTP status of the response (a success status). */
  readonly status: number;
  /** X-Request-Id of the response. */
  readonly requestId: string | undefined;
  /** The start of the body (at most 200 characters); empty for the token endpoint, whose body holds a token. */
  readonly bodyExcerpt: string;

  constructor(operationId: string, status: number, headers: Headers, problem: string, excerpt: string) {
    const requestId = headers.get('x-request-id') ?? undefined;
    super(
      `${operationId}: the ${status} response is not valid: ${problem}${requestId ? ` (request ${requestId})` : ''}.` +
        (excerpt ? ` It starts with: ${JSON.stringify(excerpt)}` : ''),
    );
    this.status = status;
    this.requestId = requestId;
    this.bodyExcerpt = excerpt;
  }
}

/**
 * The API answered with a redirect, which the SDK never follows: the request carries a bearer
 * token, and the Codex API does not redirect. Not retried.
 */
export class RedirectError extends CodexError {
  static override readonly kind: ErrorKind = 'RedirectError';
  /** The redirect's status (301, 302, 307...), or 0 where the runtime hides it (browsers). */
  readonly status: number;
  /** The origin the redirect pointed to (never its path or query), or undefined when not visible (browsers). */
  readonly location: string | undefined;

  constructor(operationId: string, status: number, location: string | undefined) {
    super(
      `${operationId}: a redirect${status ? ` (${status})` : ''} to ${location ?? 'an undisclosed location'} was not followed: the token goes only to baseUrl.`,
    );
    this.status = status;
    this.location = location;
  }
}
