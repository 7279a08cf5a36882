import { describe, expect, it } from 'vitest';
import { type RefreshLock, RefreshLockBusy, refreshThroughStore } from './shared-refresh';
import type { StoredToken, TokenStore } from './token-store';
import type { ProvidedToken, TokenProvider } from './types';

function mapStore(): TokenStore & { map: Map<string, StoredToken> } {
  const map = new Map<string, StoredToken>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, t) => void map.set(k, t),
    delete: async (k) => void map.delete(k),
  };
}
const freeLock: RefreshLock = (_key, _wait, fn) => fn();
const fetching = (tokens: string[]) => {
  const calls: Array<boolean | undefined> = [];
  const fetchToken = (async (_signal?: AbortSignal, background?: boolean): Promise<ProvidedToken> => {
    calls.push(background);
    const accessToken = tokens.shift();
    if (!accessToken) throw new Error('the server said no');
    return { accessToken, expiresIn: 60 };
  }) as TokenProvider;
  return { fetchToken, calls };
};

describe('refreshThroughStore', () => {
  it('takes a token another process wrote, and writes the one it fetched', async () => {
    const store = mapStore();
    const { fetchToken, calls } = fetching(['t_fetched']);
    const refresh = refreshThroughStore(store, freeLock)('k', fetchToken);
    store.map.set('k', { accessToken: 't_other', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 });
    expect((await refresh()).accessToken).toBe('t_other');
    expect(calls).toEqual([]);
    // The same token again means it is the one being replaced: fetch, and write for the others.
    expect((await refresh()).accessToken).toBe('t_fetched');
    expect(store.map.get('k')?.accessToken).toBe('t_fetched');
  });

  it('does not take a stored token in its refresh window', async () => {
    const store = mapStore();
    const { fetchToken } = fetching(['t_new']);
    store.map.set('k', { accessToken: 't_old', expiresAt: Date.now() + 5_000, lifetimeMs: 60_000 });
    expect((await refreshThroughStore(store, freeLock)('k', fetchToken)()).accessToken).toBe('t_new');
  });

  it("a refresh's own failure is not retried as a lock failure", async () => {
    const { fetchToken, calls } = fetching([]);
    const warnings: string[] = [];
    const refresh = refreshThroughStore(mapStore(), freeLock)('k', fetchToken, {
      logger: { warn: (m) => warnings.push(m) },
    });
    await expect(refresh()).rejects.toThrow('the server said no');
    expect(calls).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('without a lock (its store down) refreshes anyway and says so once; a busy lock stops only background refreshes', async () => {
    const warnings: string[] = [];
    const broken: RefreshLock = async () => {
      throw new Error('connection refused');
    };
    const { fetchToken } = fetching(['t1', 't2']);
    const refresh = refreshThroughStore(mapStore(), broken)('k', fetchToken, {
      logger: { warn: (m) => warnings.push(m) },
    });
    expect((await refresh()).accessToken).toBe('t1');
    expect((await refresh()).accessToken).toBe('t2');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/shared refresh lock failed.*connection refused/);
    const busy: RefreshLock = async () => {
      throw new RefreshLockBusy();
    };
    const other = fetching(['t3']);
    const background = refreshThroughStore(mapStore(), busy)('k', other.fetchToken) as (
      s?: AbortSignal,
      b?: boolean,
    ) => Promise<ProvidedToken>;
    await expect(background(undefined, true)).rejects.toBeInstanceOf(RefreshLockBusy);
    expect((await background(undefined, false)).accessToken).toBe('t3');
  });
});

describe('refreshThroughStore checks what the store holds (issue 18, items 2 and 14)', () => {
  const hour = () => ({ expiresAt: Date.now() + 3600_000, lifetimeMs: 3600_000 });
  const bad: Array<[string, () => unknown]> = [
    ['a token with CR/LF', () => ({ accessToken: 't_stored\r\nX-Evil: 1', ...hour() })],
    ['an object for a token', () => ({ accessToken: { a: 1 }, ...hour() })],
    ['expiresAt null (1e308 written as JSON)', () => ({ accessToken: 't_stored', expiresAt: null, lifetimeMs: 1e308 })],
    [
      'a lifetime of NaN',
      () => ({ accessToken: 't_stored', expiresAt: Date.now() + 3600_000, lifetimeMs: Number.NaN }),
    ],
    ['an array', () => ['t_stored']],
  ];
  it.each(bad)('%s: ignored, warned about once without quoting it, and replaced', async (_, value) => {
    const store = mapStore();
    const warnings: string[] = [];
    const { fetchToken, calls } = fetching(['t_fetched', 't_fetched_2']);
    const refresh = refreshThroughStore(store, freeLock)('k', fetchToken, {
      logger: { warn: (m) => warnings.push(m) },
    });
    store.map.set('k', value() as StoredToken);
    expect((await refresh()).accessToken).toBe('t_fetched');
    expect(calls).toHaveLength(1);
    expect(store.map.get('k')).toMatchObject({ accessToken: 't_fetched', lifetimeMs: 60_000 });
    store.map.set('k', value() as StoredToken);
    expect((await refresh()).accessToken).toBe('t_fetched_2');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignored the token in the shared token store/);
    expect(warnings[0]).not.toMatch(/t_stored|X-Evil/);
  });

  it('writes a clamped, finite expiry for an absurd lifetime, and never hands out more than a day', async () => {
    const store = mapStore();
    const fetchToken = (async () => ({ accessToken: 't_forever', expiresIn: 1e308 })) as TokenProvider;
    const refresh = refreshThroughStore(store, freeLock)('k', fetchToken);
    const before = Date.now();
    const token = await refresh();
    expect(token).toEqual({ accessToken: 't_forever', expiresIn: 24 * 3600 });
    const stored = JSON.parse(JSON.stringify(store.map.get('k')));
    expect(stored.lifetimeMs).toBe(24 * 3600_000);
    expect(stored.expiresAt).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(stored.expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    // Another process reading a token stored to live for years takes it for a day at most.
    store.map.set('k', { accessToken: 't_years', expiresAt: Date.now() + 1e12, lifetimeMs: 1e12 });
    const taken = await refreshThroughStore(store, freeLock)('k', fetchToken)();
    expect(taken.accessToken).toBe('t_years');
    expect(taken.expiresIn).toBeLessThanOrEqual(24 * 3600);
  });
});
