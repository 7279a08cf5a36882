// Process-wide sharing: one TokenManager per (token store, clock, baseUrl, client ID, scope) and one
// RateLimiter per (clock, baseUrl, client ID), whatever the number of Clients. Objects (stores,
// clocks, token providers) are held weakly, so dropping them frees their entries.

const roots = new WeakMap<object, Map<string, unknown>>();

/** The value for (scope objects..., key), created once. */
export function shared<T>(scope: readonly object[], key: string, create: () => T): T {
  let map: Map<string, unknown> | undefined;
  let holder: object = scope[0] as object;
  map = roots.get(holder);
  if (!map) {
    map = new Map();
    roots.set(holder, map);
  }
  // Further scope objects nest by identity: give each an id in the first one's map.
  let fullKey = key;
  for (const object of scope.slice(1)) fullKey += `|${identity(object)}`;
  holder = map;
  if (!map.has(fullKey)) map.set(fullKey, create());
  return map.get(fullKey) as T;
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function identity(object: object): number {
  let id = ids.get(object);
  if (id === undefined) {
    id = nextId++;
    ids.set(object, id);
  }
  return id;
}
