import { typeOf } from './checks';
import { CodexError } from './errors';
import type { TokenProvider } from './types';

export type CredentialOptions = {
  /** `"<client_id>:<client_secret>"` (split on the first ':'), as in CODEX_API_KEY. */
  apiKey?: string | undefined;
  /** The key's client ID (`cdx_id_…`); with `clientSecret`, instead of `apiKey`. */
  clientId?: string | undefined;
  /** The key's client secret (`cdx_sk_…`). */
  clientSecret?: string | undefined;
  /** Instead of a key: a function that returns access tokens. */
  tokenProvider?: TokenProvider | undefined;
  /**
   * Names the provider's tokens: Clients with the same id share them (in the process, and across
   * tabs in @codex/browser). Without one, each provider function has its own tokens, so providers
   * for different users never share.
   */
  tokenProviderId?: string | undefined;
};

export const REDACTED = '[redacted]';

/**
 * A client ID and secret. The secret lives in a private field, which `JSON.stringify`,
 * `util.inspect` and `console.log` never show, and no error message includes it.
 */
export class ClientCredentials {
  readonly clientId: string;
  readonly #secret: string;

  constructor(clientId: string, secret: string) {
    this.clientId = clientId;
    this.#secret = secret;
  }

  /** The secret, for the token request body only. */
  revealSecret(): string {
    return this.#secret;
  }

  toJSON() {
    return { clientId: this.clientId, clientSecret: REDACTED };
  }
}

export type Credentials =
  | { kind: 'client'; credentials: ClientCredentials }
  | { kind: 'provider'; provider: TokenProvider };

function invalid(message: string, code: 'invalid_credentials' | 'missing_credentials' = 'invalid_credentials'): never {
  throw new CodexError(
    `${message} Expected apiKey: "<client_id>:<client_secret>", or clientId + clientSecret, or tokenProvider.`,
    { code },
  );
}

// Messages describe the input (its type, its length) and never echo it: it may be a secret.
function checkPart(name: string, value: unknown, isSecret = false): string {
  // A client ID never contains ':'; apiKey is split on the first ':', so the secret may.
  if (typeof value !== 'string' || !value || /\s/.test(value) || (!isSecret && value.includes(':')))
    invalid(
      `${name} must be a non-empty string without whitespace${isSecret ? '' : " or ':'"}, got ${typeof value === 'string' ? `${value.length} characters` : typeOf(value)}.`,
    );
  return value;
}

/** Reads credentials from options; throws a CodexError that explains the expected format. */
export function resolveCredentials(options: CredentialOptions): Credentials {
  const kinds =
    +(options.apiKey !== undefined) +
    +(options.clientId !== undefined || options.clientSecret !== undefined) +
    +(options.tokenProvider !== undefined);
  if (kinds !== 1)
    invalid(
      kinds ? 'Give one kind of credentials, not several.' : 'No credentials were given.',
      kinds ? 'invalid_credentials' : 'missing_credentials',
    );

  if (options.tokenProvider !== undefined) {
    if (typeof options.tokenProvider !== 'function') invalid('tokenProvider must be a function.');
    return { kind: 'provider', provider: options.tokenProvider };
  }
  if (options.apiKey !== undefined) {
    const key: unknown = options.apiKey;
    if (typeof key !== 'string') invalid(`apiKey must be a string, got ${typeOf(key)}.`);
    const colon = key.indexOf(':');
    if (colon < 0) invalid(`apiKey has no ':' (${key.length} characters).`);
    return {
      kind: 'client',
      credentials: new ClientCredentials(
        checkPart("apiKey's client ID", key.slice(0, colon)),
        checkPart("apiKey's secret", key.slice(colon + 1), true),
      ),
    };
  }
  return {
    kind: 'client',
    credentials: new ClientCredentials(
      checkPart('clientId', options.clientId),
      checkPart('clientSecret', options.clientSecret, true),
    ),
  };
}
