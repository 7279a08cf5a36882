import { SPEC_MAX_BODY_BYTES } from './body-limits';

/** An API key the server accepts. */
export type ApiKey = {
  /** `cdx_id_…` */
  clientId: string;
  /** `cdx_sk_…` */
  clientSecret: string;
  /**
   * The key belongs to a read-only project: its tokens only ever get scope `read`.
   * @default false
   */
  readOnly?: boolean;
};

export type RateLimitOptions = {
  /**
   * Requests allowed per window per client ID.
   * @default 1000
   */
  limit?: number;
  /**
   * Window length in seconds.
   * @default 60
   */
  windowSeconds?: number;
};

/** How 429 responses say when to retry. The contract allows both; clients must accept both. */
export type RetryAfterFormat = 'seconds' | 'http-date';

export type DevServerOptions = {
  /** API keys. With none, one read-write and one read-only key are created. */
  keys?: ApiKey[];
  /**
   * Lifetime of issued access tokens, in seconds.
   * @default 3600
   */
  tokenLifetimeSeconds?: number;
  rateLimit?: RateLimitOptions;
  /** @default 'seconds' */
  retryAfterFormat?: RetryAfterFormat;
  /**
   * Secret guarding the admin API (`/_admin/*`: fault injection, token revocation, settings,
   * request log). The admin API is off unless this is set. Send it as `X-Admin-Secret`.
   */
  adminSecret?: string;
  /**
   * How long an Idempotency-Key is remembered, in seconds.
   * @default 86400
   */
  idempotencyTtlSeconds?: number;
  /**
   * Largest request body accepted on any operation, in bytes; larger is 413 payload_too_large,
   * answered as soon as the limit is passed, without reading the rest. Each operation also has its
   * own limit, the size of its largest valid request, and the lower of the two applies: 7,346,528
   * bytes (~7 MiB) for a document (create, update), 128 MiB for a batch, 64 KiB for the token
   * endpoint. See src/body-limits.ts.
   * @default 134217728 (128 MiB, the spec's limit on any body)
   */
  maxBodyBytes?: number;
  /**
   * The clock, in milliseconds since the epoch. Inject one to test expiry and windows without waiting.
   * @default Date.now
   */
  now?: () => number;
};

/** Settings that the admin API can change while the server runs. */
export type Settings = {
  tokenLifetimeSeconds: number;
  rateLimit: { limit: number; windowSeconds: number };
  retryAfterFormat: RetryAfterFormat;
};

export const DEFAULTS = {
  tokenLifetimeSeconds: 3600,
  rateLimit: { limit: 1000, windowSeconds: 60 },
  retryAfterFormat: 'seconds' as RetryAfterFormat,
  idempotencyTtlSeconds: 24 * 60 * 60,
  maxBodyBytes: SPEC_MAX_BODY_BYTES,
};

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh key in the contract's format. */
export function generateKey(readOnly: boolean): ApiKey {
  return { clientId: `cdx_id_${randomHex(8)}`, clientSecret: `cdx_sk_${randomHex(16)}`, readOnly };
}

/** `CODEX_API_KEY` value for a key: `<client_id>:<client_secret>`. */
export function apiKeyString(key: ApiKey): string {
  return `${key.clientId}:${key.clientSecret}`;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks options (from code or a JSON config file) and fills in defaults. */
export function resolveOptions(options: DevServerOptions = {}) {
  const keys = options.keys ?? [generateKey(false), generateKey(true)];
  if (!Array.isArray(keys)) throw new TypeError('keys must be an array of {clientId, clientSecret, readOnly?}');
  for (const [i, key] of keys.entries()) {
    for (const field of ['clientId', 'clientSecret'] as const) {
      if (typeof key?.[field] !== 'string' || key[field].length === 0 || key[field].includes(':')) {
        throw new TypeError(`keys[${i}].${field} must be a non-empty string without ':'`);
      }
    }
  }
  const format = options.retryAfterFormat ?? DEFAULTS.retryAfterFormat;
  if (format !== 'seconds' && format !== 'http-date') {
    throw new TypeError(`retryAfterFormat must be 'seconds' or 'http-date', got ${JSON.stringify(format)}`);
  }
  const settings: Settings = {
    tokenLifetimeSeconds: positive(
      'tokenLifetimeSeconds',
      options.tokenLifetimeSeconds ?? DEFAULTS.tokenLifetimeSeconds,
    ),
    rateLimit: {
      limit: positive('rateLimit.limit', options.rateLimit?.limit ?? DEFAULTS.rateLimit.limit),
      windowSeconds: positive(
        'rateLimit.windowSeconds',
        options.rateLimit?.windowSeconds ?? DEFAULTS.rateLimit.windowSeconds,
      ),
    },
    retryAfterFormat: format,
  };
  return {
    keys: keys.map((k) => ({ clientId: k.clientId, clientSecret: k.clientSecret, readOnly: k.readOnly === true })),
    settings,
    adminSecret: options.adminSecret,
    idempotencyTtlMs:
      positive('idempotencyTtlSeconds', options.idempotencyTtlSeconds ?? DEFAULTS.idempotencyTtlSeconds) * 1000,
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULTS.maxBodyBytes),
    now: options.now ?? Date.now,
  };
}

export type ResolvedOptions = ReturnType<typeof resolveOptions>;
