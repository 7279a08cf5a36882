import { Client } from '@codex/node';
import { issueToken } from './dev-server.mjs';
import { median } from './stats.mjs';

// Per-call cost: alternating blocks of sequential GET /v1/documents/{id}, one block per client per
// round, the order rotated each round so that drift (GC, CPU frequency, the server warming up)
// falls on every client alike. A block's cost is its wall time / calls; the figures are the median
// over rounds of that cost and of its ratio to raw fetch's block of the same round (pairing within
// a round cancels the slow drift of a shared machine's load). @codex/node is the built package (dist, the default export condition), as a user
// gets it, with default settings.

export const CLIENTS = ['raw fetch', 'ky 1.14.3 default', 'openai 6.49.0 generic get', '@codex/node default'];
/**
 * On Node >= 22 (issue 22): also the peers' current majors, which need Node 22 (ky 2, openai 7),
 * beside the ones pinned for Node 20, so the ratios compare against what users pick today.
 */
export const CLIENTS_NODE_22 = [
  'raw fetch',
  'ky 1.14.3 default',
  'ky 2.1.0 default',
  'openai 6.49.0 generic get',
  'openai 7.59.0 generic get',
  '@codex/node default',
];
// Each peer from its own package (bench/package.json: `ky-2` and `openai-7` are npm aliases), loaded
// only when measured: ky 2 and openai 7 are not loaded on Node 20.
const PEERS = {
  'ky 1.14.3 default': () => import('ky'),
  'ky 2.1.0 default': () => import('ky-2'),
  'openai 6.49.0 generic get': () => import('openai'),
  'openai 7.59.0 generic get': () => import('openai-7'),
};

export async function measurePerCall(server, { clients = CLIENTS, rounds = 16, block = 150, warmup = 50 } = {}) {
  const key = server.keys.perCall;
  const token = await issueToken(server.url, key);
  const headers = { Authorization: `Bearer ${token}` };
  const created = await fetch(`${server.url}/documents`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'bench', content: 'per-call benchmark' }),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  const { id } = await created.json();
  const url = `${server.url}/documents/${id}`;

  const codex = new Client({ apiKey: server.apiKey('perCall'), baseUrl: server.url });
  const calls = {
    'raw fetch': async () => {
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`GET ${response.status}`);
      return response.json();
    },
    '@codex/node default': () => codex.documents.get(id),
  };
  for (const name of clients) {
    if (calls[name]) continue;
    const { default: peer } = await PEERS[name]();
    if (name.startsWith('ky')) calls[name] = () => peer.get(url, { headers }).json();
    else {
      // openai's generic client: get(path, options) joins baseURL and path and returns the parsed
      // JSON; options.headers come last, so this Authorization replaces the `Bearer x` of apiKey.
      const openai = new peer({ apiKey: 'x', baseURL: server.url });
      calls[name] = () => openai.get(`/documents/${id}`, { headers });
    }
  }
  for (const name of clients) {
    const document = await calls[name]();
    if (document.id !== id) throw new Error(`${name} returned ${JSON.stringify(document).slice(0, 200)}`);
  }
  for (const name of clients) for (let i = 0; i < warmup; i++) await calls[name]();

  const perCall = Object.fromEntries(clients.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < clients.length; j++) {
      const name = clients[(round + j) % clients.length];
      const call = calls[name];
      const start = performance.now();
      for (let i = 0; i < block; i++) await call();
      perCall[name].push((performance.now() - start) / block);
    }
  }
  return {
    id,
    rounds,
    block,
    results: Object.fromEntries(
      clients.map((name) => [
        name,
        {
          median: median(perCall[name]),
          ratio: median(perCall[name].map((ms, round) => ms / perCall['raw fetch'][round])),
          max: Math.max(...perCall[name]),
        },
      ]),
    ),
  };
}
