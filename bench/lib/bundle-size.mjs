import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { waitForBuild } from './built.mjs';

// What a page pays for @codex/browser: Client plus one documents.list() call, bundled from the
// built packages (dist; esbuild's browser conditions), minified, gzip level 9.

export const ENTRY = `import { Client } from '@codex/browser';
const client = new Client({
  baseUrl: 'https://api.example.com/v1',
  tokenProvider: async () => (await fetch('/codex-token')).json(),
});
client.documents.list().then((page) => console.log(page.data));
`;

export async function measureBundle() {
  await waitForBuild();
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}
