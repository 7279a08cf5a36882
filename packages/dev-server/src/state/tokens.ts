/** An issued access token. */
export type Grant = { clientId: string; scopes: string[]; expiresAt: number };

export type TokenCheck =
  | { status: 'valid'; grant: Grant }
  | { status: 'expired' | 'revoked'; grant: Grant }
  | { status: 'unknown' };

/**
 * Opaque bearer tokens kept in memory.
 * - A token is valid until `expiresAt` (exclusive), by the injected clock.
 * - `revokeAll` invalidates every token issued so far; later tokens are unaffected.
 */
export class TokenStore {
  readonly #grants = new Map<string, Grant>();
  readonly #revoked = new Set<string>();

  constructor(private readonly now: () => number) {}

  issue(clientId: string, scopes: string[], lifetimeSeconds: number): { token: string; grant: Grant } {
    const token = `cdx_at_${crypto.randomUUID().replaceAll('-', '')}${crypto.randomUUID().replaceAll('-', '')}`;
    const grant = { clientId, scopes, expiresAt: this.now() + lifetimeSeconds * 1000 };
    this.#grants.set(token, grant);
    return { token, grant };
  }

  check(token: string): TokenCheck {
    const grant = this.#grants.get(token);
    if (!grant) return { status: 'unknown' };
    if (this.#revoked.has(token)) return { status: 'revoked', grant };
    if (this.now() >= grant.expiresAt) return { status: 'expired', grant };
    return { status: 'valid', grant };
  }

  /** Revokes every token issued so far; returns how many were still valid. */
  revokeAll(): number {
    let live = 0;
    for (const [token, grant] of this.#grants) {
      if (!this.#revoked.has(token) && this.now() < grant.expiresAt) live++;
      this.#revoked.add(token);
    }
    return live;
  }

  clear(): void {
    this.#grants.clear();
    this.#revoked.clear();
  }
}
