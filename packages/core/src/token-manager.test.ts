import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from './clock';
import {
  BLOCKING_MARGIN_MS,
  EXPIRY_MARGIN_MS,
  type FetchToken,
  REFRESH_WINDOW_MS,
  refreshPlan,
  TokenManager,
} from './token-manager';
import { MAX_LIFETIME_MS, MAX_TOKEN_LENGTH, MIN_LIFETIME_MS, memoryTokenStore, type StoredToken } from './token-store';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async () => {},
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A token endpoint double: counts calls, and resolves or fails each on demand. */
function endpoint(expiresIn = 3600) {
  let issued = 0;
  let invoked = 0;
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    /** Token requests made so far. */
    get calls() {
      return invoked;
    },
    fetchToken: () =>
      new Promise<{ accessToken: string; expiresIn: number }>((resolve, reject) => {
        invoked++;
        pending.push({
          resolve: () => resolve({ accessToken: `token-${++issued}`, expiresIn }),
          reject,
        });
      }),
    resolveAll: async () => {
      await new Promise((r) => setTimeout(r, 0));
      for (const p of pending.splice(0)) p.resolve();
      await new Promise((r) => setTimeout(r, 0));
    },
    rejectAll: async () => {
      await new Promise((r) => setTimeout(r, 0));
      for (const p of pending.splice(0)) p.reject(new Error('token endpoint down'));
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

let keys = 0;
function manager(api: ReturnType<typeof endpoint>, clock = fakeClock(), random = () => 0.5) {
  return new TokenManager({
    fetchToken: api.fetchToken,
    store: memoryTokenStore,
    key: `test-${keys++}`,
    clock,
    random,
  });
}

describe('TokenManager', () => {
  it('coalesces concurrent callers into one token request', async () => {
    const api = endpoint();
    const tokens = manager(api);
    const callers = Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
    await new Promise((r) => setTimeout(r, 0));
    expect(api.calls).toBe(1);
    await api.resolveAll();
    expect(new Set((await callers).map((t) => t.accessToken))).toEqual(new Set(['token-1']));
  });

  it('uses a valid stored token, without a request, even for concurrent first callers', async () => {
    const api = endpoint();
    const clock = fakeClock();
    const key = `test-stored-${keys++}`;
    await memoryTokenStore.set(key, { accessToken: 'stored', expiresAt: clock.now() + 3600_000, lifetimeMs: 3600_000 });
    const tokens = new TokenManager({
      fetchToken: api.fetchToken,
      store: memoryTokenStore,
      key,
      clock,
      random: () => 0.5,
    });
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
    expect(all.map((t) => t.accessToken)).toEqual(Array(10).fill('stored'));
    expect(api.calls).toBe(0);
  });

  it('keeps using the token, without a request, until the refresh window', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock);
    const first = tokens.getToken();
    await api.resolveAll();
    expect((await first).accessToken).toBe('token-1');
    clock.advance(3600_000 - REFRESH_WINDOW_MS - 1);
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    expect(api.calls).toBe(1);
  });

  it('refreshes in the background inside the window while callers keep the current token', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock, () => 0); // refresh at the window's start
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - REFRESH_WINDOW_MS);
    expect((await tokens.getToken()).accessToken).toBe('token-1'); // not blocked
    expect(api.calls).toBe(2); // one refresh started
    expect((await tokens.getToken()).accessToken).toBe('token-1'); // still one refresh in flight
    expect(api.calls).toBe(2);
    await api.resolveAll();
    expect((await tokens.getToken()).accessToken).toBe('token-2');
  });

  // Seen in CI: a Node process whose only work was such a wait exited (code 13) with its call unsettled.
  it('a caller that waits for a background refresh holds the process open (a timer) until it ends', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock, () => 0);
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - REFRESH_WINDOW_MS);
    await tokens.getToken(); // starts the background refresh
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    clock.advance(REFRESH_WINDOW_MS - BLOCKING_MARGIN_MS / 2); // inside the blocking margin
    const waiting = tokens.getToken(); // waits for the background refresh
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBe(before + 1);
    await api.resolveAll();
    expect((await waiting).accessToken).toBe('token-2');
    expect(timers()).toBe(before);
  });

  it('backgroundRefresh: false (edge runtimes): the refresh is made by a caller, who waits for it', async () => {
    // In workerd a fetch left running after the response that started it never settles: a
    // background refresh would hang every later caller once the token is blocked.
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = new TokenManager({
      fetchToken: api.fetchToken,
      key: `test-${keys++}`,
      clock,
      random: () => 0,
      backgroundRefresh: false,
    });
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - REFRESH_WINDOW_MS - 1);
    expect((await tokens.getToken()).accessToken).toBe('token-1'); // before the refresh point
    expect(api.calls).toBe(1);
    clock.advance(1);
    let settled = false;
    const waiting = tokens.getToken().then((t) => {
      settled = true;
      return t;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(api.calls).toBe(2);
    expect(settled).toBe(false); // it waits, rather than leaving a refresh running behind it
    await api.resolveAll();
    expect((await waiting).accessToken).toBe('token-2');
  });

  it('a rejected token is deleted from the store only if the store still holds it', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const stored = new Map<string, StoredToken>();
    const store = {
      get: async (k: string) => stored.get(k),
      set: async (k: string, t: StoredToken) => void stored.set(k, t),
      delete: async (k: string) => void stored.delete(k),
    };
    const tokens = new TokenManager({ fetchToken: api.fetchToken, store, key: 'k', clock });
    const first = tokens.getToken();
    await api.resolveAll();
    expect((await first).accessToken).toBe('token-1');
    // Another process, told first, put a new token in the shared store.
    const newer = { accessToken: 'token-from-elsewhere', expiresAt: clock.now() + 3_600_000, lifetimeMs: 3_600_000 };
    stored.set('k', newer);
    await tokens.invalidate('token-1');
    expect(stored.get('k')).toEqual(newer);
  });

  it('blocks callers inside the last 30 s: no token known to be expired is handed out', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock);
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - BLOCKING_MARGIN_MS);
    let settled = false;
    const waiting = tokens.getToken().then((t) => {
      settled = true;
      return t;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false);
    await api.resolveAll();
    expect((await waiting).accessToken).toBe('token-2');
  });

  it('never caches a failed refresh: the next caller asks again', async () => {
    const api = endpoint();
    const tokens = manager(api);
    const failed = tokens.getToken();
    const failure = expect(failed).rejects.toThrow('token endpoint down');
    await new Promise((r) => setTimeout(r, 0));
    await api.rejectAll();
    await failure;
    const retried = tokens.getToken();
    await new Promise((r) => setTimeout(r, 0));
    expect(api.calls).toBe(2);
    await api.resolveAll();
    expect((await retried).accessToken).toBe('token-1');
  });

  it('backs off after a failed background refresh, keeping the valid token', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock, () => 0.99);
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - 60_000); // inside the window, before the blocking margin
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    expect(api.calls).toBe(2);
    await api.rejectAll();
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    await new Promise((r) => setTimeout(r, 0));
    // Backoff for the first failure is under 500 ms (full jitter): no new attempt before it ends...
    expect(api.calls).toBe(2);
    clock.advance(500);
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    // ...and one after it.
    expect(api.calls).toBe(3);
  });

  it('drops a token the API rejected, once', async () => {
    const api = endpoint();
    const tokens = manager(api);
    const first = tokens.getToken();
    await api.resolveAll();
    const { accessToken: token } = await first;
    await Promise.all([tokens.invalidate(token), tokens.invalidate(token)]);
    const next = tokens.getToken();
    await new Promise((r) => setTimeout(r, 0));
    expect(api.calls).toBe(2);
    await api.resolveAll();
    expect((await next).accessToken).toBe('token-2');
    await tokens.invalidate(token); // stale: token-2 stays
    expect((await tokens.getToken()).accessToken).toBe('token-2');
  });

  it('shows no token in JSON or inspection', async () => {
    const api = endpoint();
    const tokens = manager(api);
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    expect(JSON.stringify(tokens)).toBe('{}');
    expect(JSON.stringify(tokens)).not.toContain('token-1');
  });
});

describe('refreshPlan (property-based)', () => {
  it('refreshes inside the window, blocks only inside the margin, both before expiry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 * 24 * 3600 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (lifetimeSeconds, random, receivedAt) => {
          const lifetimeMs = lifetimeSeconds * 1000;
          const token = { accessToken: 't', expiresAt: receivedAt + lifetimeMs, lifetimeMs };
          const { refreshAt, blockAt } = refreshPlan(token, () => random);
          const window = Math.min(REFRESH_WINDOW_MS, lifetimeMs * 0.1);
          const { usableUntil } = refreshPlan(token, () => random);
          expect(refreshAt).toBeGreaterThanOrEqual(token.expiresAt - window);
          expect(refreshAt).toBeLessThanOrEqual(blockAt);
          expect(blockAt).toBeLessThan(usableUntil);
          expect(usableUntil).toBeLessThan(token.expiresAt);
          expect(token.expiresAt - usableUntil).toBeLessThanOrEqual(EXPIRY_MARGIN_MS);
          expect(token.expiresAt - blockAt).toBeLessThanOrEqual(BLOCKING_MARGIN_MS);
          expect(refreshAt).toBeGreaterThanOrEqual(receivedAt);
        },
      ),
    );
  });
});

/** A store double holding whatever a test puts in it (as a file, Redis or a user's store may). */
function anyStore(initial: unknown) {
  let value = initial;
  const writes: StoredToken[] = [];
  return {
    writes,
    get: async () => value as StoredToken | undefined,
    set: async (_k: string, token: StoredToken) => {
      writes.push(token);
      value = token;
    },
    delete: async () => {
      value = undefined;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('a refresh failing inside the blocking margin (issue 18, item 20)', () => {
  it('keeps serving the valid token, retries with backoff, and fails only when no valid token is left', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = manager(api, clock, () => 0.5);
    const first = tokens.getToken();
    await api.resolveAll();
    const { expiresAt } = await first;
    // Inside the last 30 s: callers wait for the refresh...
    clock.advance(3600_000 - 20_000);
    const waiting = tokens.getToken();
    await tick();
    expect(api.calls).toBe(2);
    // ...which fails: they get the token, valid for 20 s more, rather than an error.
    await api.rejectAll();
    expect((await waiting).accessToken).toBe('token-1');
    // Backing off (250 ms for the first failure with random 0.5): calls neither wait nor ask again.
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    expect(api.calls).toBe(2);
    clock.advance(250);
    const retried = tokens.getToken();
    await tick();
    expect(api.calls).toBe(3);
    await api.rejectAll();
    expect((await retried).accessToken).toBe('token-1');
    // In the token's last 2 s nothing valid is left: the call waits, and a failure fails it.
    clock.advance(expiresAt - EXPIRY_MARGIN_MS - clock.now());
    const last = tokens.getToken();
    const failure = expect(last).rejects.toThrow('token endpoint down');
    await tick();
    expect(api.calls).toBe(4);
    await api.rejectAll();
    await failure;
  });

  it('with backgroundRefresh: false, a failed refresh in the window leaves callers the token too', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const tokens = new TokenManager({
      fetchToken: api.fetchToken,
      key: `test-${keys++}`,
      clock,
      random: () => 0.5,
      backgroundRefresh: false,
    });
    const first = tokens.getToken();
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - 60_000);
    const waiting = tokens.getToken();
    await tick();
    await api.rejectAll();
    expect((await waiting).accessToken).toBe('token-1');
    expect((await tokens.getToken()).accessToken).toBe('token-1');
    expect(api.calls).toBe(2);
  });
});

describe('token lifetimes are clamped on the way in (issue 18, item 14)', () => {
  it('expires_in: 1e-9 counts as a second: one token request for the calls of that second', async () => {
    const clock = fakeClock();
    const api = endpoint(1e-9);
    const tokens = manager(api, clock);
    const first = tokens.getToken();
    await api.resolveAll();
    expect((await first).lifetimeMs).toBe(MIN_LIFETIME_MS);
    for (let i = 0; i < 10; i++) {
      clock.advance(50);
      expect((await tokens.getToken()).accessToken).toBe('token-1');
    }
    expect(api.calls).toBe(1);
  });

  it('expires_in: 1e308 counts as a day: a finite expiry, in memory and in the store', async () => {
    const clock = fakeClock();
    const api = endpoint(1e308);
    const store = anyStore(undefined);
    const tokens = new TokenManager({ fetchToken: api.fetchToken, store, key: 'k', clock });
    const first = tokens.getToken();
    await api.resolveAll();
    const token = await first;
    expect(token).toEqual({
      accessToken: 'token-1',
      expiresAt: clock.now() + MAX_LIFETIME_MS,
      lifetimeMs: MAX_LIFETIME_MS,
    });
    expect(JSON.parse(JSON.stringify(store.writes))).toEqual([token]);
  });
});

describe('tokens read from the store are checked (issue 18, item 2)', () => {
  const bad: Array<[string, unknown]> = [
    ['a token with CR/LF', { accessToken: 'cdx_at\r\nX-Evil: 1', expiresAt: 2e6 + 3600_000, lifetimeMs: 3600_000 }],
    ['an object for a token', { accessToken: { a: 1 }, expiresAt: 2e6 + 3600_000, lifetimeMs: 3600_000 }],
    [
      'a token too long for a header',
      { accessToken: 'a'.repeat(MAX_TOKEN_LENGTH + 1), expiresAt: 2e6, lifetimeMs: 3600_000 },
    ],
    ['expiresAt NaN', { accessToken: 'cdx_at_ok', expiresAt: Number.NaN, lifetimeMs: 3600_000 }],
    ['a negative lifetime', { accessToken: 'cdx_at_ok', expiresAt: 2e6, lifetimeMs: -1 }],
    ['a string', 'cdx_at_just_a_string'],
  ];
  it.each(bad)('%s: discarded, warned about once (never quoted), and a fresh token fetched', async (_, value) => {
    const clock = fakeClock();
    const api = endpoint();
    const warnings: string[] = [];
    const fetchToken = (() => api.fetchToken()) as FetchToken;
    const tokens = new TokenManager({
      fetchToken,
      store: anyStore(value),
      key: 'k',
      clock,
      logger: { warn: (m) => warnings.push(m) },
    });
    const got = tokens.getToken();
    await api.resolveAll();
    expect((await got).accessToken).toBe('token-1');
    expect(api.calls).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignored the token in the token store/);
    expect(warnings[0]).not.toMatch(/cdx_at|X-Evil|aaaa/);
  });

  it('a stored token that would live for years lives at most its (clamped) lifetime from now', async () => {
    const clock = fakeClock();
    const api = endpoint();
    const store = anyStore({ accessToken: 'stored', expiresAt: 1e300, lifetimeMs: 1e308 });
    const tokens = new TokenManager({ fetchToken: api.fetchToken, store, key: 'k', clock });
    expect(await tokens.getToken()).toMatchObject({
      accessToken: 'stored',
      expiresAt: clock.now() + MAX_LIFETIME_MS,
      lifetimeMs: MAX_LIFETIME_MS,
    });
    expect(api.calls).toBe(0);
  });
});

describe('each caller brings its own fetchToken (issue 18, item 15)', () => {
  it('the token request for a call, and a background refresh, go through that caller’s fetch', async () => {
    const clock = fakeClock();
    const api = endpoint(3600);
    const used: string[] = [];
    const via =
      (name: string): FetchToken =>
      () => {
        used.push(name);
        return api.fetchToken();
      };
    const wrapped: string[] = [];
    const tokens = new TokenManager({
      key: `test-${keys++}`,
      clock,
      random: () => 0,
      // Made once, as coordinateRefresh is; what it wraps runs the caller's fetch.
      coordinate: (fetchToken) => (signal, background) => {
        wrapped.push('coordinated');
        return fetchToken(signal, background);
      },
    });
    const first = tokens.getToken(undefined, via('a'));
    await api.resolveAll();
    await first;
    clock.advance(3600_000 - REFRESH_WINDOW_MS);
    expect((await tokens.getToken(undefined, via('b'))).accessToken).toBe('token-1');
    await api.resolveAll();
    await tokens.invalidate('token-2');
    const third = tokens.getToken(undefined, via('c'));
    await api.resolveAll();
    expect((await third).accessToken).toBe('token-3');
    expect(used).toEqual(['a', 'b', 'c']);
    expect(wrapped).toEqual(['coordinated', 'coordinated', 'coordinated']);
  });
});
