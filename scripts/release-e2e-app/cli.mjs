// The `codex` bin as installed from the registry (@codex/cli): `codex documents list` against
// @codex/dev-server, credentials from the environment as a user's shell would have them.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '@codex/dev-server';
import { Client } from '@codex/node';

const server = await startServer({ port: 0 });
const [key] = server.keys;
const apiKey = `${key.clientId}:${key.clientSecret}`;
try {
  const doc = await new Client({ apiKey, baseUrl: server.url }).documents.create({ title: 'cli', content: 'listed' });
  const bin = join('node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex');
  const env = {
    ...process.env,
    CODEX_API_KEY: apiKey,
    CODEX_BASE_URL: server.url,
    XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'codex-cache-')),
  };
  // Not execFileSync: the dev server runs in this process and must answer while the bin runs.
  const { stdout: out } = await promisify(execFile)(bin, ['documents', 'list'], { env, encoding: 'utf8' });
  const lines = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  if (!lines.some((d) => d.id === doc.id)) throw new Error(`codex documents list printed ${out}`);
  if (out.includes(key.clientSecret)) throw new Error('the secret appeared in the output');
  console.log(
    `✓ codex documents list (the installed bin) printed ${lines.length} document(s) as JSON Lines, ${doc.id} among them`,
  );
} finally {
  await server.close();
}
