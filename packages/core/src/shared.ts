// Process-wide sharing: one TokenManager per (token store, clock, baseUrl, client ID, scope) and one
// RateLimiter per (clock, baseUrl, client ID), whatever the number of Clients. Scope objects
// (stores, clocks, token providers) key nested WeakMaps, so dropping them frees their entries.

type Level = WeakMap<object, Level | Map<string, unknown>>;
const root: Level = new WeakMap();

/** The value for (scope objects..., key), created once. */
export function shared<T>(scope: readonly object[], key: string, create: () => T): T {
  let level: Level = root;
  let map = new Map<string, unknown>();
  scope.forEach((object, i) => {
    const last = i === scope.length - 1;
    let next = level.get(object);
    if (!next) {
      next = last ? new Map<string, unknown>() : (new WeakMap() as Level);
      level.set(object, next);
    }
    if (last) map = next as Map<string, unknown>;
    else level = next as Level;
  });
  if (!map.has(key)) map.set(key, create());
  return map.get(key) as T;
}
