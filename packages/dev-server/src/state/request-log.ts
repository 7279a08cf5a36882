/** How the request's credentials fared. */
export type AuthOutcome = 'none' | 'valid' | 'missing' | 'malformed' | 'expired' | 'revoked' | 'unknown';

/** One request as the server saw it. Secrets (tokens, client secrets) are never recorded. */
export type LoggedRequest = {
  seq: number;
  at: string;
  requestId: string;
  method: string;
  path: string;
  query: string;
  operationId: string | null;
  clientId: string | null;
  auth: AuthOutcome;
  idempotencyKey: string | null;
  userAgent: string | null;
  status: number | null;
  replayed: boolean;
  fault: string | null;
  /**
   * Which TCP connection the request came on, numbered in the order connections opened (so that
   * tests can see keep-alive at work); null where the server cannot tell.
   */
  connection: number | null;
};

/** The log of requests received, for tests to assert what an SDK really sent. */
export class RequestLog {
  #entries: LoggedRequest[] = [];
  #seq = 0;

  start(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const logged = { ...entry, seq: ++this.#seq };
    this.#entries.push(logged);
    // Bounded, so a long demo cannot grow memory without end.
    if (this.#entries.length > 50_000) this.#entries.splice(0, 10_000);
    return logged;
  }

  list(): LoggedRequest[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.#entries = [];
  }
}
