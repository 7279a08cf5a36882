// pnpm bench (issue 10): every figure from one run, against one @codex/dev-server in its own
// process, printed as one table and written to bench/RESULTS.md with the machine it ran on.
// Targets are reported, never enforced: a missed target does not fail the run.
// Needs the built packages (the root script builds them first).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../scripts/with-node.mjs';
import { waitForBuild } from './lib/built.mjs';
import { ENTRY, measureBundle } from './lib/bundle-size.mjs';
import { measureCliHelp, measureColdImport } from './lib/cold-import.mjs';
import { startDevServer } from './lib/dev-server.mjs';
import { describeMachine } from './lib/machine.mjs';
import { bundleBreakdown, markdownTable, rows } from './lib/report.mjs';

const HIGH_LIMIT = 1_000_000_000;
const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function phase(name, measure) {
  log(name);
  try {
    return await measure();
  } catch (error) {
    log(`${name} failed: ${error?.stack ?? error}`);
    return { error };
  }
}

const ON_NODE = [24];

/** Per call and cold import measured by bench/lib/on-node.mjs on the pinned Node of that major. */
function measureOn(major, server) {
  const script = fileURLToPath(new URL('lib/on-node.mjs', import.meta.url));
  const args = JSON.stringify({ url: server.url, key: server.keys.perCall, apiKey: server.apiKey('perCall') });
  const output = execFileSync(nodeBinary(major), [script, args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output);
}

const began = performance.now();
await waitForBuild();
// These import the built @codex/node, so only once it is there.
const { measurePerCall } = await import('./lib/per-call.mjs');
const { measureBulk } = await import('./lib/bulk.mjs');
const { measureTokenExpiry } = await import('./lib/token-expiry.mjs');
const { measureManyKeys } = await import('./lib/many-keys.mjs');
const { AUTO_BATCHING, measureAutoBatching } = await import('./lib/auto-batching.mjs');
const machine = describeMachine();
const server = await startDevServer({
  keyNames: ['perCall', 'bulk', 'expiry', 'count'],
  settings: { tokenLifetimeSeconds: 3600, rateLimit: { limit: HIGH_LIMIT, windowSeconds: 60 } },
});
let results;
try {
  const perCall = await phase('per-call cost', () => measurePerCall(server));
  const coldImport = await phase('cold import', () => measureColdImport());
  const cliHelp = await phase('codex --help', () => measureCliHelp());
  const bundle = await phase('browser bundle', () => measureBundle());
  const bulk = await phase('bulk throughput', () => measureBulk(server, { highLimit: HIGH_LIMIT }));
  const expiry = await phase('token requests at expiry', () =>
    measureTokenExpiry(server, { id: perCall.id ?? 'doc_missing' }),
  );
  // Per call and cold import on Node 24 too, in a child process on that Node, against this server
  // (issue 22): with ky 2 and openai 7, which need Node 22, beside the pinned peers.
  const onNode = {};
  for (const major of ON_NODE)
    onNode[major] = await phase(`per call and cold import on Node ${major}`, () => measureOn(major, server));
  results = { perCall, coldImport, cliHelp, onNode, bundle, bulk, expiry };
} finally {
  await server.stop();
}
// Its own dev server (three keys, a scaled quota).
results.autoBatching = await phase('auto-batching', () => measureAutoBatching(startDevServer));
// Its own dev server (50 keys, a scaled quota) and its own redis-server.
results.manyKeys = await phase('many keys in one Redis', () => measureManyKeys(startDevServer));

const table = markdownTable(rows(results));
const { perCall, coldImport, bulk, autoBatching, expiry, manyKeys } = results;
const { auto, off } = autoBatching;
const ab = { ...AUTO_BATCHING, windows: AUTO_BATCHING.n / (AUTO_BATCHING.limit * 100) };
const otherNodes = Object.values(results.onNode ?? {})
  .map((r) => r.node ?? '?')
  .join(', ');
const markdown = `# Benchmark results

Written by \`pnpm bench\` (bench/run.mjs); every figure below comes from one run, against one
@codex/dev-server in its own child process on 127.0.0.1. Targets are issue 10's.

- Machine: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpu}, ${machine.memory} memory
- Node ${machine.node} (rows that name another Node ran in a child process on it); ${machine.date}; tree ${machine.commit}
- Load average at the start (1, 5, 15 min): ${machine.load}
- Run time: ${((performance.now() - began) / 1000).toFixed(0)} s

${table}

How each figure is taken:
- **Per call**: GET /v1/documents/{id} with a high server limit (${HIGH_LIMIT.toLocaleString('en-US')} a minute).
  ${perCall.rounds ?? '?'} rounds; in each, one block of ${perCall.block ?? '?'} sequential calls per client, the order rotated
  every round. Cost = block time / calls, the median over rounds; the ratio is the median over rounds
  of a block's cost / raw fetch's in the same round.
  Under load (see the load average above) ratios move by 0.1–0.3× between runs: compare
  clients within one run, and read a margin of a few hundredths as a tie.
  raw fetch, ky and openai send a bearer token fetched once; openai is \`new OpenAI({apiKey: 'x', baseURL})\`
  and \`client.get('/documents/<id>', {headers})\`. @codex/node is the **built package** (dist), with
  default settings: \`new Client({apiKey, baseUrl})\`, \`client.documents.get(id)\`.
  **On Node ${otherNodes}** (issue 22): the same, and cold import the same, in a child process on
  that Node (the pinned binary of scripts/with-node.mjs) against this run's dev server, with the peers' current
  majors, which need Node 22 (ky 2.1.0, openai 7.59.0), beside the ones pinned for Node 20.
- **Cold import**: \`node --input-type=module -e "await import('@codex/node')"\` (resolved from bench/, so the
  built dist) against the same with \`-e ""\`, ${coldImport.times ?? '?'} runs each, alternating; median wall time.
- **\`codex --help\`** (issue 23): \`node packages/cli/dist/cli.js --help\` (the built bin) against \`node -e ""\`,
  ${results.cliHelp?.times ?? '?'} runs each, alternating; median wall time.
- **Browser bundle**: esbuild (platform browser, ESM, minified) of the entry below from the built
  packages/browser/dist and packages/core/dist; gzip level 9. ky is measured the same way, for
  \`import ky from 'ky'\` and one \`ky.get(url).json()\`.
- **Bulk**: a default Client, one \`documents.batch()\` of ${bulk.n?.toLocaleString('en-US') ?? '?'} creates on a fresh key, server limit
  ${bulk.limit ?? '?'} requests per ${bulk.windowSeconds ?? '?'} s; ceiling = limit × 100 operations per window. The operations make
  exactly ${bulk.windows} windows of requests plus the token request, so an ideal client ends just after ${bulk.windows} windows.
  Duplicates: documents listed on the server afterwards, by title. 429s: the server's request log.
  The server's windows (a window opens at the first request after the previous one ended; opened
  at s: requests): ${bulk.windowsSeen?.map((w) => `${w.opensAt.toFixed(2)}: ${w.requests}`).join(', ')}. The batch
  resolved at ${bulk.seconds?.toFixed(2)} s; an ideal client at ${bulk.windows * bulk.windowSeconds} s and one answer.
- **Auto-batching** (issue 20): ${ab.n.toLocaleString('en-US')} concurrent single \`documents.create()\` calls
  (\`Promise.all(rows.map((row) => client.documents.create(row)))\`) of a Client with default settings (\`batching: 'auto'\`),
  on a dev server of its own, server limit ${ab.limit} requests per ${ab.windowSeconds} s; ceiling = limit × 100 operations per window, as for Bulk
  (a batch request carries up to 100). The quota is scaled so that the calls are exactly ${ab.windows} windows of operations at the
  ceiling. The first window's quota goes to the token request and ${ab.limit - 1} single creates (calls go singly while the quota is
  free); the calls that would wait fold into ${ab.windows * ab.limit} full batches, which fill the next ${ab.windows} windows. A client that sent everything
  in batches of 100 from its first request (\`documents.batch\`: ${ab.windows * ab.limit} batches and the token request) also sends its last batch as
  window ${ab.windows + 1} opens. So an ideal client ends just after ${ab.windows} windows (${ab.windows * ab.windowSeconds} s and one answer) either way, and the
  share is (calls / wall time) / ceiling. Wall time runs from the first call: it includes starting the calls
  (synchronous work of the SDK's, before the first request can leave: ${auto?.startedSeconds?.toFixed(2) ?? '?'} s here; the row also gives the share
  counted from the end of it) and the last batches' answers. The server's windows (opened
  at s: requests): ${auto?.windowsSeen?.map((w) => `${w.opensAt.toFixed(2)}: ${w.requests}`).join(', ') ?? '?'}. Requests and 429s: the server's request log; failed: calls
  that rejected; every call must resolve with the document of its own title, no two with one id.
  \`batching: 'off'\` sends a request per call: limit operations a window, 1/100 of the ceiling, so all ${ab.n.toLocaleString('en-US')} would take
  ${off?.extrapolatedSeconds ?? '?'} s. Rather than wait for that, the same calls run on a key of their own for as long as 'auto' took; the calls
  still waiting then are aborted (not counted as failed). Its share is what it created in that time; its time for all
  ${ab.n.toLocaleString('en-US')} is computed from the pace the server saw (${off?.perWindow ?? '?'} requests a window: (ceil((calls + 1 token request) / ${off?.perWindow ?? '?'}) − 1) × ${ab.windowSeconds} s).
  Issue 20's own test: the same calls at ${ab.burstLimit} requests per ${ab.windowSeconds} s. There they are half a window at the ceiling, and the
  time is set by where the windows fall, not by throughput: the first window goes to singles, all batches to the
  second (\`documents.batch\` would need one window). Its target is the test's.
- **Token requests at expiry**: server token lifetime ${expiry.lifetimeSeconds ?? '?'} s; a default Client makes one call, waits
  until its token has ${expiry.margin ?? '?'} ms left, then starts ${expiry.calls ?? '?'} calls at once; issueToken requests in the log.
- **Many keys in one Redis** (issue 19): ${manyKeys.keys ?? '?'} keys, each ${manyKeys.limit ?? '?'} requests per ${manyKeys.windowSeconds ?? '?'} s and
  ${manyKeys.lifetimeSeconds ?? '?'}-s tokens, on a dev server and a redis-server of their own; ${manyKeys.workers ?? '?'} worker processes, each with
  one ioredis connection, one \`redisSharing\` and a Client per key, keep one call at a time going on every key
  for ${manyKeys.windows ?? '?'} windows. Share: calls served (200, token requests left out) in each key's first ${manyKeys.windows ?? '?'} server
  windows, over ${manyKeys.windows ?? '?'} × limit × keys; token requests take slots of the same windows. The first window
  holds the fleet's start (every process opening its connections and the keys' first tokens on this machine's cores):
  the share after it is that of windows 2 to ${manyKeys.windows ?? '?'}. Round trips: each worker counts the Redis commands it
  sends, by key: the quota's scripts (TAKE and OBSERVE: one of each per request sent; a call that finds
  its window used up is promised a slot of the next one by the same TAKE, and does not ask again), and the refresh
  path's (the lock's SET NX polls, RENEW and unlock, the token's GET and SET), over the requests the server saw.
  In all: \`INFO commandstats\` after \`CONFIG RESETSTAT\`, less the commands only scripts run inside Redis, over API
  calls; by command: ${Object.entries(manyKeys.commands ?? {})
    .map(([name, n]) => `${name} ${n}`)
    .join(', ')}.

\`\`\`js
${ENTRY.trim()}
\`\`\`

## Where the browser bundle's bytes go

Each module's cost is the bundle's gzip size minus the gzip size of the same bundle without that
module's code (the entry bundled from the packages' sources, which is within a few bytes of the
dist bundle): roughly what taking the module out would save.

${bundleBreakdown(results.bundle)}
`;
writeFileSync(new URL('RESULTS.md', import.meta.url), markdown);
console.log(table);
log(`wrote bench/RESULTS.md in ${((performance.now() - began) / 1000).toFixed(0)} s`);
// Clients under test may hold keep-alive sockets or refresh timers; the run is over.
process.exit(0);
