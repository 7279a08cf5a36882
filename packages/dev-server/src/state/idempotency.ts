/** A response as it was first sent, kept to be replayed. */
export type StoredResponse = { status: number; body: string | null; headers: Record<string, string> };

type Entry = { fingerprint: string; expiresAt: number; result?: StoredResponse; pending?: Promise<void> };

export type IdempotencyOutcome =
  | { kind: 'fresh'; response: StoredResponse }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict' };

/**
 * Idempotency-Key memory, per API key (the contract: 24 hours).
 * - Same key, same request: the first response again (the caller marks it `Idempotent-Replayed`).
 * - Same key, different request: `conflict` (422 idempotency_key_reused).
 * - Concurrent requests with one key run once: later ones wait for the first and replay it.
 * - 5xx responses are not kept, so the request can be retried for real.
 */
export class IdempotencyStore {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  async run(
    clientId: string,
    key: string,
    fingerprint: string,
    execute: () => Promise<StoredResponse>,
  ): Promise<IdempotencyOutcome> {
    const id = `${clientId}\u0000${key}`;
    for (;;) {
      const entry = this.#entries.get(id);
      if (entry && this.now() >= entry.expiresAt && !entry.pending) this.#entries.delete(id);
      const live = this.#entries.get(id);
      if (!live) break;
      if (live.fingerprint !== fingerprint) return { kind: 'conflict' };
      if (live.result) return { kind: 'replay', response: live.result };
      await live.pending;
    }
    // No await between the lookup above and this set: concurrent callers see the pending entry.
    let settle = () => {};
    const entry: Entry = {
      fingerprint,
      expiresAt: this.now() + this.ttlMs,
      pending: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    this.#entries.set(id, entry);
    try {
      const response = await execute();
      if (response.status < 500) {
        entry.result = response;
        delete entry.pending;
      } else {
        this.#entries.delete(id);
      }
      return { kind: 'fresh', response };
    } catch (error) {
      this.#entries.delete(id);
      throw error;
    } finally {
      settle();
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
