// node --test scripts/ (pnpm test:scripts): `pnpm check-generated` compares the working tree's
// generated files with a fresh generation, not with git's idea of what is committed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkGenerated } from './check-generated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function git(cwd, ...args) {
  const result = spawnSync('git', ['-c', 'user.email=t@codex.dev', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

// A stand-in generator: spec.txt -> gen/out.gen.ts and api.md, as `pnpm generate` would.
const GENERATED = ['gen', 'api.md'];
const fakeGenerate = (copy) => {
  const spec = readFileSync(join(copy, 'spec.txt'), 'utf8');
  write(copy, { 'gen/out.gen.ts': `// from ${spec}`, 'api.md': `# API\n${spec}` });
  return { status: 0, output: '' };
};

/** A git repository whose committed generated files match spec v1. */
function repo() {
  const dir = mkdtempSync(join(tmpdir(), 'codex-check-generated-test-'));
  made.push(dir);
  git(dir, 'init', '--quiet');
  write(dir, { 'spec.txt': 'v1', 'gen/out.gen.ts': '// from v1', 'api.md': '# API\nv1' });
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'v1');
  return dir;
}
const check = (dir) => checkGenerated(dir, { generate: fakeGenerate, generated: GENERATED });

test('committed output that matches the spec passes', () => {
  const result = check(repo());
  assert.equal(result.ok, true);
  assert.deepEqual(result.differences, []);
});

test('fresh output not committed yet passes (git status is not asked)', () => {
  const dir = repo();
  write(dir, { 'spec.txt': 'v2', 'gen/out.gen.ts': '// from v2', 'api.md': '# API\nv2' });
  assert.match(git(dir, 'status', '--porcelain'), /gen\/out\.gen\.ts/);
  assert.equal(check(dir).ok, true);
});

test('a spec change without regenerating fails, naming each file; the working tree is left alone', () => {
  const dir = repo();
  write(dir, { 'spec.txt': 'v2' });
  const result = check(dir);
  assert.equal(result.ok, false);
  assert.deepEqual(result.differences, [
    { file: 'api.md', kind: 'changed' },
    { file: 'gen/out.gen.ts', kind: 'changed' },
  ]);
  assert.equal(readFileSync(join(dir, 'gen/out.gen.ts'), 'utf8'), '// from v1');
  assert.equal(existsSync(result.copy), false);
});

test('a file the generator no longer writes, and one it writes that is missing, fail', () => {
  const dir = repo();
  write(dir, { 'gen/old.gen.ts': '// stale' });
  rmSync(join(dir, 'api.md'));
  assert.deepEqual(check(dir).differences, [
    { file: 'api.md', kind: 'missing' },
    { file: 'gen/old.gen.ts', kind: 'extra' },
  ]);
});

test('the generator sees no generated file of the working tree (it starts from nothing)', () => {
  const dir = repo();
  const seen = [];
  checkGenerated(dir, {
    generated: GENERATED,
    generate: (copy) => {
      seen.push(existsSync(join(copy, 'gen')), existsSync(join(copy, 'api.md')), existsSync(join(copy, 'spec.txt')));
      return fakeGenerate(copy);
    },
  });
  assert.deepEqual(seen, [false, false, true]);
});

test('a failing generator is reported as such', () => {
  const result = checkGenerated(repo(), { generated: GENERATED, generate: () => ({ status: 1, output: 'boom' }) });
  assert.equal(result.failed, true);
  assert.equal(result.output, 'boom');
});

// The real thing: a clone of this repository, its node_modules linked to this checkout's.
test('the real `pnpm check-generated`: spec edited -> fails with "Run `pnpm generate`"; generated, uncommitted -> passes', {
  timeout: 300_000,
}, () => {
  const clone = mkdtempSync(join(tmpdir(), 'codex-check-generated-clone-'));
  made.push(clone);
  git(root, 'clone', '--quiet', root, clone);
  for (const dir of ['', 'tooling/codegen', 'packages/core', 'packages/dev-server']) {
    if (existsSync(join(root, dir, 'node_modules')))
      symlinkSync(join(root, dir, 'node_modules'), join(clone, dir, 'node_modules'), 'dir');
  }
  // The script under test is this checkout's, not the one committed.
  writeFileSync(join(clone, 'scripts/check-generated.mjs'), readFileSync(join(root, 'scripts/check-generated.mjs')));
  const env = {
    ...process.env,
    PATH: [join(root, '.tools/node_modules/.bin'), join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter),
  };
  const run = (command, args) => spawnSync(command, args, { cwd: clone, env, encoding: 'utf8' });

  const spec = join(clone, 'openapi/codex.yaml');
  const text = readFileSync(spec, 'utf8');
  assert.match(text, /summary: List documents\n/);
  writeFileSync(spec, text.replace('summary: List documents\n', 'summary: List the documents\n'));
  const stale = run('node', ['scripts/check-generated.mjs']);
  assert.equal(stale.status, 1, `${stale.stdout}${stale.stderr}`);
  assert.match(stale.stderr, /changed +packages\/core\/src\/generated\/codex\/resources\.gen\.ts/);
  assert.match(stale.stderr, /Run `pnpm generate` and commit the result\./);

  const generate = run('pnpm', ['generate']);
  assert.equal(generate.status, 0, `${generate.stdout}${generate.stderr}`);
  assert.match(git(clone, 'status', '--porcelain'), /resources\.gen\.ts/); // regenerated, not committed
  const fresh = run('node', ['scripts/check-generated.mjs']);
  assert.equal(fresh.status, 0, `${fresh.stdout}${fresh.stderr}`);
});
