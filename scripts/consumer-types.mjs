#!/usr/bin/env node
// The published types, compiled where users compile them (issue 22): the packed packages
// installed into a scratch project, type-checked by a strict consumer under every TypeScript
// major users install today, with no @types/node unless the consumer is a Node project that has
// its own.
//   node scripts/consumer-types.mjs            (after `pnpm build`)
// Consumers (tsconfig: strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
// skipLibCheck false, module nodenext), each under TypeScript 5.9, 6.0 and 7.0:
//   node       @codex/node and @codex/sdk, ESM and CommonJS, default lib, no @types/node
//   node-types the same, lib es2022 + @types/node (a Node project that has Node's types)
//   browser    @codex/browser and @codex/sdk (browser condition), lib dom, no Node types
//   edge       @codex/sdk's edge build (workerd condition), lib webworker, no Node types
// Exit 1 with tsc's errors if any consumer fails under any version.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** TypeScript versions a consumer may compile with: the build's pin, and the two majors after it. */
export const TYPESCRIPT = { 5.9: '5.9.3', '6.0': '6.0.3', '7.0': '7.0.2' };
const TYPES_NODE = '22.20.7';
const PACKAGES = ['core', 'node', 'browser', 'deno', 'sdk'];

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  noEmit: true,
};

// What a user writes: construction with each package's options, calls, pagination, errors,
// raw responses, batch. Type errors in these files are failures as much as in the packages'.
const USE = `
  const page = await client.documents.list({ limit: 10 });
  for (const doc of page.data) console.log(doc.id, doc.title);
  for await (const doc of client.documents.list()) console.log(doc.metadata?.['k']);
  const created = await client.documents.create({ title: 't', content: 'c', metadata: { k: 'v' } });
  const { data, response, requestId, rateLimit } = await client.documents.get(created.id).withResponse();
  console.log(data.updated_at, response.status, requestId, rateLimit?.remaining);
  const results = await client.documents.batch([{ op: 'create', document: { title: 't', content: 'c' } }], {
    idempotencyKey: 'import-1',
  });
  console.log(results.length);
  try {
    await client.withOptions({ timeout: 1_000 }).documents.delete('doc_1', { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    if (error instanceof NotFoundError) console.log(error.status, error.code, error.requestId);
    else if (error instanceof RateLimitError) console.log(error.retryAfter);
    else if (error instanceof APIError) console.log(error.status);
    else throw error;
  }
`;

const CONSUMERS = {
  node: {
    compilerOptions: { ...STRICT, types: [] },
    files: {
      'index.mts': `
import { APIError, Client, NotFoundError, RateLimitError, fileTokenStore } from '@codex/node';
import * as sdk from '@codex/sdk';

const client = new Client({
  apiKey: 'cdx_id_x:cdx_sk_y',
  baseUrl: 'http://127.0.0.1:4010/v1',
  tokenStore: fileTokenStore(),
  proxy: false,
  env: { CODEX_LOG: 'warn' },
  batching: 'auto',
  maxRetries: 2,
});
const viaSdk: sdk.Client = new sdk.Client({ apiKey: 'cdx_id_x:cdx_sk_y' });
console.log(viaSdk.documents);
${USE}
`,
      'require.cts': `
import codex = require('@codex/sdk');
const client = new codex.Client({ apiKey: 'cdx_id_x:cdx_sk_y', tokenStore: 'file' });
export async function run(): Promise<void> {
  const page = await client.documents.list();
  if (page.data[0]) console.log(page.data[0].id);
  console.log(codex.USER_AGENT, codex.VERSION);
}
`,
    },
  },
  'node-types': {
    compilerOptions: { ...STRICT, lib: ['es2022'], types: ['node'] },
    needsNodeTypes: true,
    files: {},
  },
  browser: {
    compilerOptions: { ...STRICT, lib: ['es2022', 'dom', 'dom.iterable'], types: [], customConditions: ['browser'] },
    files: {
      'index.mts': `
import { APIError, Client, NotFoundError, RateLimitError, sessionTokenStore } from '@codex/browser';
import * as sdk from '@codex/sdk';

const client = new Client({
  tokenProvider: async () => ({ accessToken: 'token', expiresIn: 3600 }),
  baseUrl: 'https://api.codex.dev/v1',
  tokenStore: sessionTokenStore(),
});
const viaSdk: sdk.Client = new sdk.Client({ tokenProvider: async () => ({ accessToken: 'token', expiresIn: 60 }) });
console.log(viaSdk.documents);
${USE}
`,
    },
  },
  edge: {
    compilerOptions: { ...STRICT, lib: ['es2022', 'webworker'], types: [], customConditions: ['workerd'] },
    files: {
      'index.mts': `
import { APIError, Client, NotFoundError, RateLimitError } from '@codex/sdk';

export default {
  async fetch(_request: Request, env: { CODEX_API_KEY: string }): Promise<Response> {
    const client = new Client({ apiKey: env.CODEX_API_KEY, deadline: 10_000 });
    ${USE}
    return Response.json((await client.documents.list()).data);
  },
};
`,
    },
  },
};
// node-types compiles the node consumer's files with Node's own types present, and passes undici's
// own Dispatchers (undici comes with @codex/node) where the option takes one.
CONSUMERS['node-types'].files = {
  ...CONSUMERS.node.files,
  'dispatcher.mts': `
import { Client } from '@codex/node';
import { Agent, ProxyAgent } from 'undici';

new Client({ apiKey: 'cdx_id_x:cdx_sk_y', dispatcher: new ProxyAgent('http://proxy.internal:3128') });
new Client({ apiKey: 'cdx_id_x:cdx_sk_y', dispatcher: new Agent({ connections: 4 }) });
`,
};

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0 && !options.allowFailure) {
    console.error(result.stdout, result.stderr);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  }
  return result;
}

/** Packs the packages, installs them with every TypeScript, writes the consumers; returns the folder. */
export function prepare(work = mkdtempSync(join(tmpdir(), 'codex-consumer-types-'))) {
  const packs = join(work, 'packs');
  mkdirSync(packs, { recursive: true });
  // The pinned pnpm that scripts/with-pnpm.mjs installs, or the one on PATH.
  const pinned = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  const pnpm = existsSync(pinned) ? pinned : process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm';
  const filters = PACKAGES.flatMap((p) => ['--filter', `./packages/${p}`]);
  sh(pnpm, ['-r', ...filters, 'pack', '--pack-destination', packs], { cwd: root });
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== PACKAGES.length) throw new Error(`expected ${PACKAGES.length} tarballs, got ${tarballs}`);
  const app = join(work, 'app');
  mkdirSync(app, { recursive: true });
  const dependencies = Object.fromEntries([
    ...tarballs.map((t) => [t.replace(/^codex-(.+)-[\d.]+\.tgz$/, '@codex/$1'), `file:../packs/${t}`]),
    ...Object.entries(TYPESCRIPT).map(([major, version]) => [`typescript-${major}`, `npm:typescript@${version}`]),
  ]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  sh(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  for (const [name, consumer] of Object.entries(CONSUMERS)) {
    const dir = join(app, name);
    mkdirSync(dir, { recursive: true });
    // Node's types only where this consumer's own node_modules has them: the others must not see
    // them (a `/// <reference types="node" />` in a dependency would find them even with types: []).
    if (consumer.needsNodeTypes) {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
      sh(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', `@types/node@${TYPES_NODE}`], { cwd: dir });
    }
    for (const [file, text] of Object.entries(consumer.files)) writeFileSync(join(dir, file), text);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: consumer.compilerOptions, include: ['*.mts', '*.cts'] }, null, 2),
    );
  }
  return app;
}

/** Type-checks one consumer under one TypeScript; returns tsc's output, or '' when it compiles. */
export function check(app, consumer, major) {
  const tsc = join(app, 'node_modules', `typescript-${major}`, 'bin', 'tsc');
  const result = sh(process.execPath, [tsc, '-p', join(app, consumer, 'tsconfig.json')], {
    cwd: join(app, consumer),
    allowFailure: true,
  });
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim() || `tsc exited ${result.status}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(join(tmpdir(), 'codex-consumer-types-'));
  let failures = 0;
  try {
    const app = prepare(work);
    for (const consumer of Object.keys(CONSUMERS)) {
      for (const major of Object.keys(TYPESCRIPT)) {
        const errors = check(app, consumer, major);
        const count = (errors.match(/error TS\d+/g) ?? []).length;
        console.log(`${errors ? '✗' : '✓'} ${consumer} under TypeScript ${major}${errors ? `: ${count} errors` : ''}`);
        if (errors) {
          failures++;
          console.log(errors.split('\n').slice(0, 40).join('\n'));
        }
      }
    }
  } finally {
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a debugging switch of this script, not a turbo task input.
    if (!process.env.KEEP_CONSUMER_TYPES) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
  process.exit(failures ? 1 : 0);
}
