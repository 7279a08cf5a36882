import type { ResolvedOptions, Settings } from './options';
import { DocumentStore } from './state/documents';
import { type FaultInput, type FaultRule, FaultStore } from './state/faults';
import { IdempotencyStore } from './state/idempotency';
import { RateLimiter } from './state/rate-limiter';
import { type LoggedRequest, RequestLog } from './state/request-log';
import { TokenStore } from './state/tokens';

export type SettingsPatch = {
  tokenLifetimeSeconds?: number;
  rateLimit?: Partial<Settings['rateLimit']>;
  retryAfterFormat?: Settings['retryAfterFormat'];
};

/** Controls for tests: the same operations the HTTP admin API (`/_admin/*`) offers. */
export type Admin = {
  /** Makes the next `count` (default 1) matching requests fail as `input` says. */
  fault(input: FaultInput): FaultRule;
  faults(): FaultRule[];
  clearFaults(): void;
  /** Revokes every token issued so far; returns how many were still valid. */
  revokeTokens(): number;
  settings(): Settings;
  configure(patch: SettingsPatch): Settings;
  /** Requests received, oldest first. */
  requests(): LoggedRequest[];
  clearRequests(): void;
  /** Forgets documents, tokens, idempotency keys, rate windows, faults and the log. */
  reset(): void;
};

/** Everything the server remembers, in memory. */
export class DevServerState {
  readonly keys: Map<string, ResolvedOptions['keys'][number]>;
  readonly settings: Settings;
  readonly tokens: TokenStore;
  readonly rateLimiter: RateLimiter;
  readonly documents: DocumentStore;
  readonly idempotency: IdempotencyStore;
  readonly faults = new FaultStore();
  readonly log = new RequestLog();
  /** Aborted when the server closes, to end hung requests. */
  readonly closing = new AbortController();

  constructor(readonly options: ResolvedOptions) {
    this.keys = new Map(options.keys.map((k) => [k.clientId, k]));
    this.settings = structuredClone(options.settings);
    this.tokens = new TokenStore(options.now);
    this.rateLimiter = new RateLimiter(options.now, () => this.settings.rateLimit);
    this.documents = new DocumentStore(options.now);
    this.idempotency = new IdempotencyStore(options.now, options.idempotencyTtlMs);
  }

  configure(patch: SettingsPatch): Settings {
    const check = (name: string, value: unknown) => {
      if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
        throw new TypeError(`${name} must be a positive number`);
      }
    };
    check('tokenLifetimeSeconds', patch.tokenLifetimeSeconds);
    check('rateLimit.limit', patch.rateLimit?.limit);
    check('rateLimit.windowSeconds', patch.rateLimit?.windowSeconds);
    if (patch.retryAfterFormat !== undefined && !['seconds', 'http-date'].includes(patch.retryAfterFormat)) {
      throw new TypeError("retryAfterFormat must be 'seconds' or 'http-date'");
    }
    if (patch.tokenLifetimeSeconds !== undefined) this.settings.tokenLifetimeSeconds = patch.tokenLifetimeSeconds;
    if (patch.rateLimit?.limit !== undefined) this.settings.rateLimit.limit = patch.rateLimit.limit;
    if (patch.rateLimit?.windowSeconds !== undefined)
      this.settings.rateLimit.windowSeconds = patch.rateLimit.windowSeconds;
    if (patch.retryAfterFormat !== undefined) this.settings.retryAfterFormat = patch.retryAfterFormat;
    if (patch.rateLimit) this.rateLimiter.clear();
    return structuredClone(this.settings);
  }

  admin(): Admin {
    return {
      fault: (input) => this.faults.add(input),
      faults: () => this.faults.list(),
      clearFaults: () => this.faults.clear(),
      revokeTokens: () => this.tokens.revokeAll(),
      settings: () => structuredClone(this.settings),
      configure: (patch) => this.configure(patch),
      requests: () => this.log.list(),
      clearRequests: () => this.log.clear(),
      reset: () => {
        this.documents.clear();
        this.tokens.clear();
        this.idempotency.clear();
        this.rateLimiter.clear();
        this.faults.clear();
        this.log.clear();
      },
    };
  }
}
