import { BRAND, type ErrorKind, isKind } from './brand';

/** Base of every error the SDK throws. */
export class CodexError extends Error {
  /** The kinds this error is, most general first (see `isCodexError` and friends). */
  declare readonly [BRAND]: readonly ErrorKind[];
  static readonly kind: ErrorKind = 'CodexError';

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
