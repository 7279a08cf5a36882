#!/usr/bin/env node
// End-to-end release test against a real local registry (Verdaccio on 127.0.0.1, no uplinks):
// 1. copy the repo to a temporary folder (a clone of HEAD plus the working tree's changes);
// 2. there: `pnpm version-packages`, build, `changeset publish` to Verdaccio;
// 3. check every @codex/* package was published at the same version, and that publishing the
//    same version again is skipped cleanly;
// 4. in a fresh project, `npm install @codex/sdk @codex/node @codex/dev-server @codex/cli` from it
//    and run a script (CommonJS and ESM) and the `codex` bin against @codex/dev-server: on this machine's Node, then again on
//    each Node major of CI's matrix (scripts/with-node.mjs: 22, 24).
// Nothing is published anywhere else: the registry lives in a temporary folder.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRepo } from './repo-copy.mjs';
import { envFor, NODE_VERSIONS } from './with-node.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC = [
  '@codex/core',
  '@codex/node',
  '@codex/browser',
  '@codex/deno',
  '@codex/sdk',
  '@codex/redis',
  '@codex/dev-server',
  '@codex/cli',
];
const work = mkdtempSync(join(tmpdir(), 'codex-release-e2e-'));
const step = (text) => console.log(`\n━━ ${text}`);

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, {
    stdio: options.capture ? 'pipe' : 'inherit',
    encoding: 'utf8',
    ...options,
  });
  if (result.status !== 0 && !options.allowFailure) {
    if (options.capture) console.error(result.stdout, result.stderr);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  }
  return result;
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

let verdaccio;
let failed = false;
try {
  step('start Verdaccio (no uplinks, anonymous publish for @codex/*)');
  const port = await freePort();
  const registry = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(work, 'htpasswd')}`,
      '    max_users: -1',
      'uplinks: {}',
      'packages:',
      "  '@codex/*':",
      '    access: $all',
      '    publish: $anonymous $all',
      '    unpublish: $all',
      "  '**':",
      '    access: $all',
      'log: { type: stdout, format: pretty, level: warn }',
      `listen: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  verdaccio = spawn(join(root, 'node_modules', '.bin', 'verdaccio'), ['--config', join(work, 'verdaccio.yaml')], {
    stdio: 'inherit',
  });
  for (let i = 0; ; i++) {
    const ok = await fetch(`${registry}-/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error('Verdaccio did not start');
    await new Promise((r) => setTimeout(r, 200));
  }

  step('copy the repository (HEAD plus uncommitted changes) and install from the local store');
  const repo = join(work, 'repo');
  copyRepo(root, repo);
  const env = {
    ...process.env,
    npm_config_registry: registry,
    [`npm_config_//127.0.0.1:${port}/:_authToken`]: 'release-e2e',
  };
  writeFileSync(join(repo, '.npmrc'), `//127.0.0.1:${port}/:_authToken=release-e2e\n`);

  step('version: pnpm version-packages');
  sh('pnpm', ['run', '--silent', 'version-packages'], { cwd: repo });
  sh('git', ['-c', 'user.email=ci@codex.dev', '-c', 'user.name=ci', 'commit', '--quiet', '-am', 'version packages'], {
    cwd: repo,
  });
  const version = JSON.parse(readFileSync(join(repo, 'packages/core/package.json'), 'utf8')).version;

  step(`publish ${version}: build, packaging checks, changeset publish`);
  sh('pnpm', ['run', '--silent', 'release'], { cwd: repo, env });

  step('every @codex/* package is on the registry at the same version');
  const published = PUBLIC.map((name) => [
    name,
    sh('npm', ['view', name, 'version', '--registry', registry], { capture: true, env }).stdout.trim(),
  ]);
  for (const [name, v] of published) console.log(`  ${name}@${v}`);
  if (published.some(([, v]) => v !== version)) throw new Error(`not every package is at ${version}`);

  step('publishing the same version again is skipped cleanly');
  const again = sh('pnpm', ['exec', 'changeset', 'publish'], { cwd: repo, env, capture: true });
  const output = `${again.stdout}${again.stderr}`;
  console.log(output.trim().split('\n').slice(-4).join('\n'));
  if (!/already published|No unpublished projects/i.test(output))
    throw new Error('the second publish did not report the packages as already published');

  // On the machine's Node, then in a fresh project on each other major CI tests (issue 22).
  for (const major of [null, ...Object.keys(NODE_VERSIONS)]) {
    const on = major ? `Node ${major}` : `this machine's Node (${process.version})`;
    step(
      `on ${on}: a fresh project installs @codex/sdk, @codex/node, @codex/dev-server and @codex/cli from the registry with npm`,
    );
    const app = join(work, major ? `app-node-${major}` : 'app');
    const appEnv = major ? envFor(major) : process.env;
    cpSync(join(root, 'scripts', 'release-e2e-app'), app, { recursive: true });
    // @codex/* from the local registry; their dependencies (undici, hono, ...) from npm's.
    writeFileSync(join(app, '.npmrc'), `@codex:registry=${registry}\n//127.0.0.1:${port}/:_authToken=release-e2e\n`);
    sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `@codex/sdk@${version}`,
        `@codex/node@${version}`,
        `@codex/dev-server@${version}`,
        `@codex/cli@${version}`,
      ],
      { cwd: app, env: appEnv },
    );
    sh('node', ['check.mjs', version], { cwd: app, env: appEnv });
    sh('node', ['cli.mjs'], { cwd: app, env: appEnv });
  }
  console.log(
    '\n✓ Release end to end: versioned, published once at one version, re-publish skipped, installed and used.',
  );
} catch (error) {
  failed = true;
  console.error(`\n✗ Release end-to-end test failed: ${error.message}`);
} finally {
  verdaccio?.kill();
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a debugging switch of this script, not a turbo task input.
  if (!process.env.KEEP_RELEASE_E2E) rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
