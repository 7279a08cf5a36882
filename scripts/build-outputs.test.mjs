// node --test scripts/ (pnpm test:scripts): a package's dist/ holds only the current build's
// outputs, also when turbo restores the build from its cache (a restore adds files, it deletes
// none): every package with a build has a `clean` script, and turbo runs it (uncached) before
// each build, a restore included.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const turboJson = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8'));
const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-build-outputs-'));
  made.push(dir);
  return dir;
};
function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === 'string' ? text : JSON.stringify(text, null, 2));
  }
}
const sh = (command, cwd, env = process.env) => spawnSync(command, { cwd, env, shell: true, encoding: 'utf8' });

const builtPackages = readdirSync(join(root, 'packages'))
  .map((name) => ({ name, manifest: join(root, 'packages', name, 'package.json') }))
  .filter(({ manifest }) => existsSync(manifest))
  .map(({ name, manifest }) => ({ name, scripts: JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {} }))
  .filter(({ scripts }) => scripts.build);

test('turbo runs `clean`, uncached, before every build (and so before a cache restore)', () => {
  assert.ok(turboJson.tasks.build.dependsOn.includes('clean'), 'build dependsOn clean');
  assert.equal(turboJson.tasks.clean.cache, false);
  assert.ok(turboJson.tasks.build.outputs.includes('dist/**'));
});

test('every package with a build has a `clean` that empties dist/ and nothing else', () => {
  assert.ok(builtPackages.length >= 7, builtPackages.map((p) => p.name).join(', '));
  for (const { name, scripts } of builtPackages) {
    assert.ok(scripts.clean, `packages/${name} has a clean script`);
    const dir = temp();
    write(dir, { 'dist/chunk-STALE.js': '', 'dist/nested/x.d.ts': '', 'src/index.ts': '' });
    const result = sh(scripts.clean, dir);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    assert.equal(existsSync(join(dir, 'dist')), false, `${name}: dist/ is gone`);
    assert.ok(existsSync(join(dir, 'src/index.ts')), `${name}: src/ stays`);
    assert.equal(sh(scripts.clean, dir).status, 0, `${name}: clean with no dist/ succeeds`);
  }
});

// Our turbo.json's clean and build tasks, and our clean script, in a one-package workspace.
const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
test('a cache restore leaves no stale file in dist/ (real turbo)', {
  skip: !existsSync(turbo),
  timeout: 120_000,
}, () => {
  const dir = temp();
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const local = (deps) => deps.filter((d) => !d.includes('#')); // no @codex/codegen here
  write(dir, {
    'package.json': { name: 'ws', private: true, packageManager },
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n\n  packages/p: {}\n",
    '.gitignore': 'node_modules\ndist\n.turbo\n',
    'turbo.json': {
      tasks: {
        clean: turboJson.tasks.clean,
        build: { ...turboJson.tasks.build, dependsOn: local(turboJson.tasks.build.dependsOn) },
      },
    },
    'packages/p/package.json': {
      name: 'p',
      version: '1.0.0',
      scripts: {
        build: `node -e "fs.mkdirSync('dist',{recursive:true});fs.writeFileSync('dist/index.js','1')"`,
        clean: builtPackages.find((p) => p.name === 'core').scripts.clean,
      },
    },
    'packages/p/src/index.ts': 'export {};\n',
  });
  assert.equal(spawnSync('git', ['init', '--quiet'], { cwd: dir }).status, 0);
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
  const build = () => {
    const result = spawnSync(turbo, ['run', 'build', '--output-logs=none'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  build();
  writeFileSync(join(dir, 'packages/p/dist/chunk-STALE.js'), '');
  assert.match(build(), /Cached:\s+1 cached, 2 total/); // the build restored, the clean run
  assert.deepEqual(readdirSync(join(dir, 'packages/p/dist')), ['index.js']);
});
