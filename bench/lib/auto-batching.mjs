import { setMaxListeners } from 'node:events';
import { Client } from '@codex/node';
import { serverWindows } from './bulk.mjs';

// Auto-batching (issue 20): N concurrent single documents.create() calls of a Client with default
// settings (batching: 'auto'), under a scaled quota on a dev server of their own, against the same
// calls with batching: 'off'. The ceiling is the bulk phase's: limit × 100 operations per window.
//
// The quota is scaled so that N = windows × limit × 100, exactly `windows` windows of operations at
// the ceiling. With 'auto', the first window's quota goes to the token request and limit − 1 single
// creates (sent while the quota is free); the rest fold into windows × limit full batches, which
// fill windows 2 to windows + 1. A client that sent every operation in batches of 100 from the
// start (documents.batch) needs windows × limit batches plus the token request: its last batch
// also goes as window windows + 1 opens. So the ideal time is windows × window length (+ one
// answer) either way, and the share is a throughput: (N / wall time) / ceiling.
//
// With 'off', each call is a request: limit operations a window, 1/100 of the ceiling, and N
// creates would take (ceil((N + 1) / limit) − 1) windows. It runs as long as 'auto' took (on its
// own key, same calls, same quota), then the calls still waiting are aborted; what it created in
// that time is measured, and its time for all N is computed from the pace the server saw.
//
// Then the issue's own test at the quota (burst): N creates at 60 requests per 3 s, where N
// is half a window at the ceiling: the first window goes to singles, the batches to the second.

export const AUTO_BATCHING = { n: 3000, limit: 10, windowSeconds: 3, burstLimit: 60 };

/** Runs `n` concurrent creates on key `name`; the calls still waiting after `cutAfterMs` are aborted. */
async function run(server, name, { n, batching, cutAfterMs, windowSeconds }) {
  const key = server.keys[name];
  const client = new Client({ apiKey: server.apiKey(name), baseUrl: server.url, batching });
  // The cut for 'off'; for 'auto', a guard against a client that never finishes (not a setting
  // the benchmark measures).
  const controller = new AbortController();
  setMaxListeners(n + 10, controller.signal);
  const timer = setTimeout(() => controller.abort(), cutAfterMs);
  const start = performance.now();
  const calls = Array.from({ length: n }, (_, i) =>
    client.documents.create({ title: `${name}-${i}`, content: `document ${i}` }, { signal: controller.signal }),
  );
  // Starting N calls is synchronous work of the SDK's (each call's scope, request, in-flight queue).
  const startedSeconds = (performance.now() - start) / 1000;
  const settled = await Promise.allSettled(calls);
  const seconds = (performance.now() - start) / 1000;
  clearTimeout(timer);

  const created = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const rejected = settled.filter((s) => s.status === 'rejected').map((s) => s.reason);
  const aborted = rejected.filter((error) => error?.name === 'APIUserAbortError');
  const failed = rejected.filter((error) => error?.name !== 'APIUserAbortError');
  const { requests } = await server.admin('GET', '/requests');
  const mine = requests.filter((r) => r.clientId === key.clientId);
  const opened = Math.min(...mine.map((r) => Date.parse(r.at)));
  const count = (operationId) => mine.filter((r) => r.operationId === operationId).length;
  return {
    n,
    batching,
    seconds,
    startedSeconds,
    created: created.length,
    // Each call resolved with its own document: its title, and an id no other call got.
    mismatched: settled.filter((s, i) => s.status === 'fulfilled' && s.value.title !== `${name}-${i}`).length,
    distinctIds: new Set(created.map((d) => d.id)).size,
    aborted: aborted.length,
    failed: failed.length,
    firstError: failed[0] && `${failed[0].code ?? failed[0].name}: ${failed[0].message}`,
    requests: mine.length,
    tokens: count('issueToken'),
    singles: count('createDocument'),
    batches: count('batchDocuments'),
    tooMany: mine.filter((r) => r.status === 429).length,
    windowsSeen: serverWindows(mine, opened, windowSeconds),
  };
}

export async function measureAutoBatching(startDevServer) {
  const { n, limit, windowSeconds, burstLimit } = AUTO_BATCHING;
  const windows = n / (limit * 100);
  const ceiling = (limit * 100) / windowSeconds;
  const server = await startDevServer({
    keyNames: ['auto', 'off', 'burst'],
    settings: { tokenLifetimeSeconds: 3600, rateLimit: { limit, windowSeconds } },
  });
  try {
    const auto = await run(server, 'auto', { n, batching: 'auto', cutAfterMs: 60_000, windowSeconds });
    // The correctness figures above are for 'auto' (every call its document); 'off' is cut.
    const created = auto.created === n && auto.mismatched === 0 && auto.distinctIds === n;
    const off = await run(server, 'off', { n, batching: 'off', cutAfterMs: auto.seconds * 1000, windowSeconds });
    const offPerWindow = Math.max(...off.windowsSeen.map((w) => w.requests));
    await server.admin('PATCH', '/settings', { rateLimit: { limit: burstLimit, windowSeconds } });
    const burst = await run(server, 'burst', { n, batching: 'auto', cutAfterMs: 60_000, windowSeconds });
    return {
      n,
      limit,
      windowSeconds,
      windows,
      ceiling,
      auto: {
        ...auto,
        allCreated: created,
        opsPerSecond: n / auto.seconds,
        share: auto.created / auto.seconds / ceiling,
        // The same, counted once the N calls were started (the first request leaves after that).
        shareAfterStart: auto.created / (auto.seconds - auto.startedSeconds) / ceiling,
      },
      off: {
        ...off,
        cutSeconds: auto.seconds,
        opsPerSecond: off.created / auto.seconds,
        share: off.created / auto.seconds / ceiling,
        perWindow: offPerWindow,
        // 1 operation a request, at the pace the server saw (limit a window): the token request and
        // N creates, the last window opening (windows − 1) window lengths after the first.
        extrapolatedSeconds: (Math.ceil((n + 1) / offPerWindow) - 1) * windowSeconds,
      },
      burst: { ...burst, limit: burstLimit, allCreated: burst.created === n && burst.distinctIds === n },
    };
  } finally {
    await server.stop();
  }
}
