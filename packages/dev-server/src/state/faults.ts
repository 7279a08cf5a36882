/** What an injected fault does to a matching request. */
export type FaultAction =
  /** Answer with `status` (and the contract's error body), optionally with Retry-After. */
  | { type: 'status'; status: number; retryAfter?: number; retryAfterFormat?: 'seconds' | 'http-date' }
  /** Drop the connection without answering. */
  | { type: 'reset' }
  /** Never answer (until the client gives up or the server closes). */
  | { type: 'hang' }
  /** Apply the request (commit the write), then drop the connection instead of answering. */
  | { type: 'lose-response' };

export type FaultMatch = {
  /** HTTP method, e.g. `POST`. Any when absent. */
  method?: string;
  /** Path below the base URL: exact (`/documents`) or a prefix ending in `*` (`/documents/*`). Any when absent. */
  path?: string;
  /** operationId from the spec, e.g. `createDocument`. Any when absent. */
  operationId?: string;
};

export type FaultRule = FaultMatch & FaultAction & { id: string; remaining: number };

export type FaultInput = FaultMatch & FaultAction & { count?: number };

/** Fault injection: each rule fails the next `count` matching requests, in the order rules were added. */
export class FaultStore {
  #rules: FaultRule[] = [];
  #next = 1;

  add(input: FaultInput): FaultRule {
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new TypeError('count must be a positive integer');
    if (input.type === 'status' && !(Number.isInteger(input.status) && input.status >= 400 && input.status <= 599)) {
      throw new TypeError('status must be an HTTP error status (400-599)');
    }
    const { count: _, ...rest } = input;
    const rule = { ...rest, id: `fault_${this.#next++}`, remaining: count } as FaultRule;
    this.#rules.push(rule);
    return rule;
  }

  /** The first rule matching this request, which then has one use fewer. */
  take(method: string, path: string, operationId: string | null): FaultRule | undefined {
    const rule = this.#rules.find(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) &&
        (!r.operationId || r.operationId === operationId) &&
        (!r.path || (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : path === r.path)),
    );
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining === 0) this.#rules = this.#rules.filter((r) => r !== rule);
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.#rules = [];
  }
}
