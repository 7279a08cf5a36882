// node --test scripts/ (pnpm test:scripts): the breaking-change gate asks a spec or API change for
// a changeset of its own; changesets pending from earlier changes do not count. Run in throwaway
// clones of this repository: on a branch (base: the merge base with origin/main), on a clean clone
// of main (base: the previous commit), and with no remote at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@codex.dev',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@codex.dev',
};

function git(cwd, ...args) {
  const result = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A clone of `from` (this repository by default), node_modules linked to this checkout's. */
function clone(from = root) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-gate-test-'));
  made.push(dir);
  git(root, 'clone', '--quiet', from, dir);
  if (existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * A clone on `main` with this checkout's gate committed, as if just released (etc/released/ is the
 * spec and API reports of HEAD, so the comparison with the last release has nothing to say) but
 * with every changeset still pending; origin/main is that commit.
 */
function mainClone() {
  const dir = clone();
  git(dir, 'checkout', '--quiet', '-B', 'main');
  const script = 'scripts/breaking-change-gate.mjs';
  writeFileSync(join(dir, script), readFileSync(join(root, script)));
  cpSync(join(dir, 'openapi/codex.yaml'), join(dir, 'etc/released/codex.yaml'));
  cpSync(join(dir, 'etc/api'), join(dir, 'etc/released/api'), { recursive: true });
  commit(dir, 'the gate under test, as if just released');
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  return dir;
}

function commit(dir, message) {
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
}

const REPORT = 'etc/api/core.api.md';
/** Adds a declaration to @codex/core's API report (a compatible API change). */
function addDeclaration(dir) {
  const path = join(dir, REPORT);
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n```');
  assert.ok(end > 0, `${REPORT} ends its code block`);
  writeFileSync(path, `${text.slice(0, end)}\n// @public\nexport const gateTestOnly: number;\n${text.slice(end)}`);
}
/** Removes a declaration from @codex/core's API report (a breaking API change). */
function removeDeclaration(dir) {
  const path = join(dir, REPORT);
  const lines = readFileSync(path, 'utf8').split('\n');
  const index = lines.findIndex((l) => /^export (declare )?(function|const|class|interface|type) /.test(l.trim()));
  assert.ok(index >= 0, `${REPORT} has a declaration`);
  lines.splice(index, 1);
  writeFileSync(path, lines.join('\n'));
}
function changeset(dir, name, bump, text = 'A gate test.') {
  writeFileSync(join(dir, '.changeset', `${name}.md`), `---\n'@codex/core': ${bump}\n---\n\n${text}\n`);
}

function gate(dir, ...args) {
  const result = spawnSync(process.execPath, ['scripts/breaking-change-gate.mjs', ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}
const NO_OWN = /adds or modifies no changeset of its own \(the \d+ pending from earlier changes do not count\)/;

test('on a branch: an API change without a changeset of its own fails, with one passes', { timeout: 180_000 }, () => {
  const dir = mainClone();
  git(dir, 'checkout', '--quiet', '-b', 'feature');
  assert.ok(readFileSync(join(dir, '.changeset', 'config.json'), 'utf8').includes('"baseBranch": "main"'));
  const pending = gate(dir);
  assert.equal(pending.status, 0, pending.out); // nothing changed yet: pending changesets alone pass

  addDeclaration(dir);
  commit(dir, 'API change');
  const without = gate(dir);
  assert.equal(without.status, 1, without.out);
  assert.match(without.out, /merge base with origin\/main/);
  assert.match(without.out, /This change alters etc\/api\/core\.api\.md/);
  assert.match(without.out, NO_OWN);

  changeset(dir, 'gate-test', 'minor');
  commit(dir, 'its changeset');
  const withOwn = gate(dir);
  assert.equal(withOwn.status, 0, withOwn.out);
  assert.match(withOwn.out, /its own changesets: gate-test\.md/);
});

test('on a clean clone of main (CI): the last commit is the change under test', { timeout: 180_000 }, () => {
  const dir = mainClone();
  addDeclaration(dir);
  commit(dir, 'API change, no changeset');
  const ci = clone(dir);
  const without = gate(ci);
  assert.equal(without.status, 1, without.out);
  assert.match(without.out, /the previous commit, HEAD being on the base branch/);
  assert.match(without.out, NO_OWN);

  // Amending a pending changeset, in the same commit, counts as the change's own.
  const pending = git(dir, 'ls-files', '.changeset/*.md')
    .split('\n')
    .find((f) => !f.endsWith('README.md'));
  writeFileSync(join(dir, pending), `${readFileSync(join(dir, pending), 'utf8')}\nAlso gateTestOnly.\n`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '--amend', '--no-edit');
  const withOwn = gate(clone(dir));
  assert.equal(withOwn.status, 0, withOwn.out);

  // The uncommitted working tree is part of the change too; no remote: the local main decides.
  const local = clone(dir);
  git(local, 'remote', 'remove', 'origin');
  git(local, 'reset', '--quiet', '--hard', 'HEAD~1');
  addDeclaration(local);
  const dirty = gate(local);
  assert.equal(dirty.status, 1, dirty.out);
  assert.match(dirty.out, NO_OWN);
  changeset(local, 'uncommitted', 'patch');
  assert.equal(gate(local).status, 0);
});

test('a breaking API change needs a "Breaking:" changeset of its own, not an earlier one', { timeout: 180_000 }, () => {
  const dir = mainClone();
  removeDeclaration(dir);
  changeset(dir, 'gate-test', 'patch');
  commit(dir, 'breaking API change, patch changeset');
  const patch = gate(dir);
  assert.equal(patch.status, 1, patch.out);
  assert.match(patch.out, /This change is breaking, which needs .* of its own \(its changesets: gate-test\.md\)/);
  assert.match(patch.out, /etc\/api\/core\.api\.md lost or changed declarations/);

  changeset(dir, 'gate-test', 'minor', 'Breaking: gateTestOnly is gone.');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '--amend', '--no-edit');
  const breaking = gate(dir);
  assert.equal(breaking.status, 0, breaking.out);
});

test('--base chooses the base; an unknown one is an error', { timeout: 180_000 }, () => {
  const dir = mainClone();
  addDeclaration(dir);
  commit(dir, 'API change, no changeset');
  commit(dir, 'an empty commit after it');
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD'); // as CI's clone of main sees it
  assert.equal(gate(dir).status, 0); // the last commit alone changes nothing
  const wider = gate(dir, '--base=HEAD~2');
  assert.equal(wider.status, 1, wider.out);
  assert.match(wider.out, NO_OWN);
  const unknown = gate(dir, '--base=no-such-ref');
  assert.equal(unknown.status, 1);
  assert.match(unknown.out, /Cannot tell which change is under test: the base no-such-ref/);
});

test('a spec change needs a changeset of its own too (Optic judges whether it breaks)', { timeout: 180_000 }, () => {
  const dir = mainClone();
  const spec = join(dir, 'openapi/codex.yaml');
  const text = readFileSync(spec, 'utf8');
  assert.match(text, /summary: List documents\n/);
  writeFileSync(spec, text.replace('summary: List documents\n', 'summary: List the documents\n'));
  const without = gate(dir);
  assert.equal(without.status, 1, without.out);
  assert.match(without.out, /This change alters openapi\/codex\.yaml/);
  assert.match(without.out, NO_OWN);
  changeset(dir, 'gate-test', 'patch');
  const withOwn = gate(dir);
  assert.equal(withOwn.status, 0, withOwn.out);
});
