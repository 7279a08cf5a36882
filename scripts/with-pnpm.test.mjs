// node --test scripts/ (pnpm test:scripts): scripts/with-pnpm.mjs installs only when something the
// install depends on changed, and then always.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installIsCurrent, recordInstall, workspaceProjects } from './with-pnpm.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = packageManager.replace(/^pnpm@/, '');
const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === 'string' ? text : JSON.stringify(text));
  }
}

/** A workspace: a, and b depending on a (workspace:*), with a comment in pnpm-workspace.yaml. */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'codex-with-pnpm-'));
  made.push(dir);
  write(dir, {
    'package.json': { name: 'ws', private: true, packageManager },
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n  # tools\n  - "tools"\n\nonlyBuiltDependencies:\n  - esbuild\n',
    'packages/a/package.json': { name: 'a', version: '1.0.0' },
    'packages/b/package.json': { name: 'b', version: '1.0.0', dependencies: { a: 'workspace:*' } },
    'packages/not-a-project/README.md': 'no package.json',
    'tools/package.json': { name: 'tools', version: '1.0.0' },
  });
  return dir;
}

test('the workspace projects are read from pnpm-workspace.yaml', () => {
  assert.deepEqual(workspaceProjects(workspace()), ['', 'packages/a', 'packages/b', 'tools']);
  const ours = workspaceProjects(root);
  assert.ok(ours.includes('packages/core') && ours.includes('tooling/codegen') && ours.includes('bench'), ours);
});

test('current after a recorded install; not after a change to what the install depends on', () => {
  const dir = workspace();
  const installed = () =>
    write(dir, {
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'node_modules/.modules.yaml': '{}',
      'node_modules/.pnpm/lock.yaml': "lockfileVersion: '9.0'\n",
      'packages/b/node_modules/.keep': '',
    });
  installed();
  assert.equal(installIsCurrent(dir, version), false, 'never recorded');
  recordInstall(dir, version);
  assert.equal(installIsCurrent(dir, version), true);
  assert.equal(installIsCurrent(dir, '0.0.1'), false, 'another pnpm');
  write(dir, { 'README.md': 'unrelated', 'packages/a/index.js': 'unrelated' });
  assert.equal(installIsCurrent(dir, version), true, 'unrelated files do not count');

  const changes = {
    'the lockfile': () => write(dir, { 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n# changed\n" }),
    "a project's package.json": () => write(dir, { 'packages/a/package.json': { name: 'a', version: '1.0.1' } }),
    'pnpm-workspace.yaml': () => write(dir, { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' }),
    '.npmrc (new)': () => write(dir, { '.npmrc': 'node-linker=hoisted\n' }),
    'a new project': () => write(dir, { 'packages/c/package.json': { name: 'c' } }),
    'what pnpm installed': () => write(dir, { 'node_modules/.pnpm/lock.yaml': "lockfileVersion: '9.0'\n# other\n" }),
    "a project's node_modules, deleted": () => rmSync(join(dir, 'packages/b/node_modules'), { recursive: true }),
    'the record, deleted': () => rmSync(join(dir, 'node_modules/.with-pnpm-state')),
  };
  for (const [what, change] of Object.entries(changes)) {
    change();
    assert.equal(installIsCurrent(dir, version), false, what);
    installed();
    recordInstall(dir, version);
    assert.equal(installIsCurrent(dir, version), true, `${what}, installed again`);
  }
});

// With the real pinned pnpm (offline: only workspace dependencies), if it is on PATH.
const env = {
  ...process.env,
  PATH: [join(root, '.tools/node_modules/.bin'), process.env.PATH].join(delimiter),
};
for (const key of Object.keys(env)) if (key.startsWith('npm_config_')) delete env[key];
const pnpmOnPath = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' }).stdout?.trim();
test('end to end: installs, then skips, then installs a changed lockfile or a deleted node_modules', {
  skip: pnpmOnPath !== version && `pnpm ${version} is not on PATH`,
  timeout: 120_000,
}, () => {
  const dir = workspace();
  cpSync(join(root, 'scripts/with-pnpm.mjs'), join(dir, 'scripts/with-pnpm.mjs'));
  const pnpm = (...args) => spawnSync('pnpm', args, { cwd: dir, env, encoding: 'utf8' });
  assert.equal(pnpm('install', '--lockfile-only').status, 0);
  const withPnpm = (...args) => {
    const result = spawnSync(process.execPath, ['scripts/with-pnpm.mjs', ...args], { cwd: dir, env, encoding: 'utf8' });
    return { ...result, out: `${result.stdout}${result.stderr}` };
  };
  const skipped = /node_modules is current/;

  const first = withPnpm();
  assert.equal(first.status, 0, first.out);
  assert.doesNotMatch(first.out, skipped);
  assert.ok(existsSync(join(dir, 'packages/b/node_modules/a/package.json')));

  const again = withPnpm('node', '-e', 'process.exit(3)');
  assert.match(again.out, skipped);
  assert.equal(again.status, 3, 'runs the command and passes its exit code on');

  // A new project depending on a: a new lockfile (committed by someone else, say).
  write(dir, { 'packages/c/package.json': { name: 'c', version: '1.0.0', dependencies: { a: 'workspace:*' } } });
  assert.equal(pnpm('install', '--lockfile-only').status, 0);
  const changed = withPnpm();
  assert.equal(changed.status, 0, changed.out);
  assert.doesNotMatch(changed.out, skipped);
  assert.ok(existsSync(join(dir, 'packages/c/node_modules/a/package.json')));

  rmSync(join(dir, 'packages/b/node_modules'), { recursive: true });
  const deleted = withPnpm();
  assert.doesNotMatch(deleted.out, skipped);
  assert.ok(existsSync(join(dir, 'packages/b/node_modules/a/package.json')));
  assert.match(withPnpm().out, skipped);
});
