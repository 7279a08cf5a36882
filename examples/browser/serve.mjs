// The example's backend: serves the built page and hands it short-lived tokens at /codex-token,
// exchanging the API key with @codex/node (the key never reaches the browser). It also starts a
// local Codex API (@codex/dev-server), on another origin, so CORS is real.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';
import { Client } from '@codex/node';

const DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function serveExample({ port = 0 } = {}) {
  const api = await startServer({ port: 0 });
  const [key] = api.keys;
  const codex = new Client({ apiKey: `${key.clientId}:${key.clientSecret}`, baseUrl: api.url });

  const web = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/codex-token') {
      // What a real backend does after checking the user's session.
      const token = await codex.getAccessToken();
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(token));
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ baseUrl: api.url }));
      return;
    }
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => web.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${web.address().port}/`;
  return { url, api, close: async () => Promise.all([api.close(), new Promise((r) => web.close(r))]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url, api } = await serveExample({ port: Number(process.env.PORT ?? 5173) });
  console.log(`Example page: ${url}  (API: ${api.url})`);
}
