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
