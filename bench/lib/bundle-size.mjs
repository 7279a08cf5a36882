import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { waitForBuild } from './built.mjs';

// What a page pays for @codex/browser: Client plus one documents.list() call, bundled from the
// built packages (dist; esbuild's browser conditions), minified, gzip level 9. Also what each
// source module costs of it (costByModule), and ky's own size for comparison: issue 10 asks both
// that ky stay the HTTP layer and that the whole bundle fit in 10 kB.

export const ENTRY = `import { Client } from '@codex/browser';
const client = new Client({
  baseUrl: 'https://api.example.com/v1',
  tokenProvider: async () => (await fetch('/codex-token')).json(),
});
client.documents.list().then((page) => console.log(page.data));
`;

const KY_ENTRY = `import ky from 'ky';
ky.get('https://api.example.com/v1/documents').json().then((page) => console.log(page.data));
`;

const gzip = (code) => gzipSync(code, { level: 9 }).length;

async function bundle(contents, options = {}) {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
    bundle: true,
    // The three parts of `minify`, so that costByModule can leave out whitespace minification
    // (`minify: true` would override it).
    minifySyntax: true,
    minifyIdentifiers: true,
    minifyWhitespace: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles[0].text;
}

/**
 * Each source module's share: the entry bundled from the packages' sources (the `@codex/source`
 * condition; within a few bytes of the dist bundle), minified but for whitespace so that esbuild
 * keeps its `// path` line before each module; then, per module, the gzip size of the bundle
 * without that module's code (whitespace minified again). The difference is what the module costs
 * on top of the rest: gzip shares context between modules, so the costs add up to less than the total.
 */
async function costByModule() {
  const code = await bundle(ENTRY, { minifyWhitespace: false, conditions: ['@codex/source'] });
  const parts = code.split(/^\/\/ (\S+)\n/m);
  const regions = [];
  for (let i = 1; i < parts.length; i += 2) regions.push({ module: parts[i], code: parts[i + 1] });
  const squeeze = async (text) => gzip((await transform(text, { minifyWhitespace: true, format: 'esm' })).code);
  const whole = await squeeze(parts[0] + regions.map((r) => r.code).join(''));
  const costs = [];
  for (const region of regions) {
    const rest = parts[0] + regions.map((r) => (r === region ? '' : r.code)).join('');
    costs.push({ module: region.module.replace(/^(\.\.\/)*packages\//, ''), gzip: whole - (await squeeze(rest)) });
  }
  return costs.sort((a, b) => b.gzip - a.gzip);
}

export async function measureBundle() {
  await waitForBuild();
  const [codex, ky, modules] = await Promise.all([bundle(ENTRY), bundle(KY_ENTRY), costByModule()]);
  return {
    minified: codex.length,
    gzip: gzip(codex),
    modules,
    ky: { minified: ky.length, gzip: gzip(ky) },
  };
}
