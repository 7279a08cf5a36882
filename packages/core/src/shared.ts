// Process-wide sharing: one TokenManager per (token store, clock, key) and one RateLimiter per
// (clock, baseUrl, client ID), whatever the number of Clients. Scope objects (stores, clocks) key
// nested WeakMaps, and values are held through WeakRefs: once no Client uses a token manager or a
// limiter, it is garbage-collected and its entry removed, so 20,000 Clients created and dropped
// leave nothing behind (issue 9). Every Client holds its own strong references.

type Level = WeakMap<object, Level | Map<string, WeakRef<object>>>;
const root: Level = new WeakMap();
const cleanup = new FinalizationRegistry<{ map: Map<string, WeakRef<object>>; key: string; ref: WeakRef<object> }>(
  ({ map, key, ref }) => {
    if (map.get(key) === ref) map.delete(key);
  },
);

/** The value for (scope objects..., key), created once and kept while something else holds it. */
export function shared<T extends object>(scope: readonly object[], key: string, create: () => T): T {
  let level: Level = root;
  let map = new Map<string, WeakRef<object>>();
  scope.forEach((object, i) => {
    const last = i === scope.length - 1;
    let next = level.get(object);
    if (!next) {
      next = last ? new Map<string, WeakRef<object>>() : (new WeakMap() as Level);
      level.set(object, next);
    }
    if (last) map = next as Map<string, WeakRef<object>>;
    else level = next as Level;
  });
  const existing = map.get(key)?.deref();
  if (existing) return existing as T;
  const value = create();
  const ref = new WeakRef<object>(value);
  map.set(key, ref);
  cleanup.register(value, { map, key, ref });
  return value;
}
