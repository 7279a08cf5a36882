#!/usr/bin/env node
// Breaking-change gate. Two comparisons:
//
// A. The change under test, against its base (see `resolveBase`): a change that alters
//    openapi/codex.yaml or a package's API report (etc/api/*.api.md) must add or modify a changeset
//    itself; changesets pending from earlier changes do not count. If the change itself is breaking
//    (Optic's breaking-changes ruleset on the spec; a removed or changed declaration in an API
//    report), one of its own changesets must say so (see below for 0.x).
// B. What would be released, against what was released last (etc/released/: the spec and the API
//    reports, copied there by `pnpm version-packages`), with every pending changeset: a change
//    needs a changeset, a breaking change a major one.
//
// Every @codex/* package shares one version (changesets `fixed`), so any major changeset counts.
// Before 1.0 (semver's "initial development", item 4), a breaking change is released as a minor
// version, as changesets does for 0.x: it then needs a minor (or major) changeset that says so,
// with a line starting "Breaking:". A 1.x or later version needs a major changeset.
//
// The base of the change: `--base=<ref>` if given (`pnpm breaking-change-gate --base=<ref>`); else, on a branch off
// the changesets base branch (.changeset/config.json `baseBranch`, as `origin/<it>` or `<it>`),
// the merge base with it; else (on that branch itself, e.g. CI's clean clone of main) the previous
// commit: the change is the last commit plus whatever the working tree adds to it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const released = join(root, 'etc', 'released');
const SPEC = 'openapi/codex.yaml';
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const problems = [];
const temp = mkdtempSync(join(tmpdir(), 'codex-gate-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

function git(args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return result.status === 0 ? result.stdout : null;
}
const revParse = (ref) => git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || null;

/** The commit the change under test starts from, and how it was chosen. */
function resolveBase() {
  const given = process.argv.find((a) => a.startsWith('--base='))?.slice('--base='.length);
  const head = revParse('HEAD');
  if (!head) return { error: 'not a git repository with a commit (the gate compares the change with its base)' };
  if (given) {
    const ref = revParse(given);
    if (!ref) return { error: `the base ${given} (--base) is not a commit here` };
    return { base: git(['merge-base', head, ref])?.trim() || ref, how: `merge base with ${given}` };
  }
  let baseBranch = 'main';
  try {
    baseBranch = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')).baseBranch ?? baseBranch;
  } catch {}
  for (const ref of [`origin/${baseBranch}`, baseBranch]) {
    if (!revParse(ref)) continue;
    const mergeBase = git(['merge-base', head, ref])?.trim();
    if (mergeBase && mergeBase !== head) return { base: mergeBase, how: `merge base with ${ref}` };
    if (mergeBase === head) break; // HEAD is on the base branch: the change is its last commit.
  }
  const previous = revParse('HEAD~1');
  if (previous) return { base: previous, how: 'the previous commit, HEAD being on the base branch' };
  if (git(['rev-parse', '--is-shallow-repository'])?.trim() === 'true')
    return {
      error:
        'a shallow clone without the previous commit: fetch more history (git fetch --deepen=1) or pass --base=<commit>',
    };
  return { base: EMPTY_TREE, how: 'nothing, HEAD being the first commit' };
}

/** A file's text at a commit, or null if it is not there. */
const atBase = (base, path) => (base === EMPTY_TREE ? null : git(['show', `${base}:${path}`]));
const readNow = (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : null);

/** A changeset's package bumps and whether it has a "Breaking:" line. */
function parseChangeset(text, file) {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';
  const breaking = /^---\r?\n[\s\S]*?\r?\n---\r?\n[\s\S]*^Breaking:/m.test(text);
  return [...front.matchAll(/^["']?(@codex\/[\w-]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => ({
    file,
    name: m[1],
    bump: m[2],
    breaking,
  }));
}

const version = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).version;
const initialDevelopment = /^0\./.test(version);
const isMajor = (b) => b.bump === 'major' || (initialDevelopment && b.bump === 'minor' && b.breaking);
const majorNeeded = initialDevelopment
  ? `a minor or major changeset with a line starting "Breaking:" (version ${version}, before 1.0)`
  : 'a major changeset';

// Pending changesets and their bumps.
const changesetDir = join(root, '.changeset');
const isChangesetFile = (f) => f.endsWith('.md') && f !== 'README.md';
const bumps = readdirSync(changesetDir)
  .filter(isChangesetFile)
  .flatMap((f) => parseChangeset(readFileSync(join(changesetDir, f), 'utf8'), f));
const hasChangeset = bumps.length > 0;
const hasMajor = bumps.some(isMajor);
const pendingFiles = new Set(bumps.map((b) => b.file)).size;
const largest = ['major', 'minor', 'patch'].find((bump) => bumps.some((b) => b.bump === bump));
console.log(`pending changesets: ${hasChangeset ? `${pendingFiles} (largest bump: ${largest})` : 'none'}`);

/** Lines of an API report that carry declarations. */
const significant = (text) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => l && !l.startsWith('//') && !l.startsWith('>') && !l.startsWith('#') && l !== '```' && l !== '```ts',
    );

/** Optic's breaking-changes check from one spec to the working tree's: { breaking, report, named }. */
const opticRuns = new Map();
function optic(fromText, toPath) {
  if (!opticRuns.has(fromText)) opticRuns.set(fromText, runOptic(fromText, toPath));
  return opticRuns.get(fromText);
}
function runOptic(fromText, toPath) {
  const from = join(temp, `from-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(from, fromText);
  const ruleset = join(temp, 'ruleset.yml');
  writeFileSync(ruleset, 'ruleset:\n  - breaking-changes\n');
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'optic'),
    ['diff', from, toPath, '--check', '--standard', ruleset],
    {
      encoding: 'utf8',
      env: { ...process.env, OPTIC_TELEMETRY_LEVEL: 'off', NO_COLOR: '1' },
      shell: process.platform === 'win32',
    },
  );
  if (result.error) throw new Error(`could not run Optic (node_modules/.bin/optic): ${result.error.message}`);
  const report = `${result.stdout}${result.stderr}`.trim();
  const named = report
    .split('\n')
    .filter((l) => /breaking change|cannot |required|removed/i.test(l))
    .map((l) => `  ${l.trim()}`);
  return { breaking: result.status !== 0, report, named: named.join('\n') || report };
}

// A. The change under test.
const resolved = resolveBase();
if (resolved.error) {
  problems.push(`Cannot tell which change is under test: ${resolved.error}.`);
} else {
  const { base, how } = resolved;
  const baseName = base === EMPTY_TREE ? 'the empty tree' : base.slice(0, 12);
  // Tracked files the working tree changes since the base, and files not yet tracked.
  const diff = git(['diff', '--name-status', '--no-renames', '-z', base, '--']) ?? '';
  const fields = diff.split('\0').filter(Boolean);
  const touched = new Map();
  for (let i = 0; i + 1 < fields.length; i += 2) touched.set(fields[i + 1], fields[i]);
  for (const f of (git(['ls-files', '--others', '--exclude-standard', '-z']) ?? '').split('\0').filter(Boolean))
    touched.set(f, 'A');
  const ownFiles = [...touched]
    .filter(([f, status]) => status !== 'D' && /^\.changeset\/[^/]+$/.test(f) && isChangesetFile(f.slice(11)))
    .map(([f]) => f.slice(11));
  const own = ownFiles.flatMap((f) => parseChangeset(readNow(`.changeset/${f}`) ?? '', f));
  const ownMajor = own.some(isMajor);
  console.log(
    `change under test: ${baseName} (${how}) .. working tree, ${touched.size} files; its own changesets: ${ownFiles.join(', ') || 'none'}`,
  );

  const changed = [];
  const breaking = [];
  const specBefore = atBase(base, SPEC);
  const specNow = readNow(SPEC);
  if (specBefore !== null && specNow !== null && specBefore !== specNow) {
    changed.push(SPEC);
    const check = optic(specBefore, join(root, SPEC));
    if (check.breaking) breaking.push(`${SPEC} (Optic, ${baseName} -> now):\n${check.named}`);
  }
  const reports = new Set([
    ...readdirSync(join(root, 'etc', 'api')),
    ...(base === EMPTY_TREE ? '' : (git(['ls-tree', '--name-only', `${base}:etc/api`]) ?? '')).split('\n'),
  ]);
  for (const file of [...reports].filter((f) => f.endsWith('.api.md')).sort()) {
    const then = significant(atBase(base, `etc/api/${file}`));
    const now = significant(readNow(`etc/api/${file}`));
    const removed = then.filter((l) => !now.includes(l));
    const added = now.filter((l) => !then.includes(l));
    if (!removed.length && !added.length) continue;
    changed.push(`etc/api/${file}`);
    if (removed.length && then.length)
      breaking.push(`etc/api/${file} lost or changed declarations:\n${removed.map((l) => `  - ${l}`).join('\n')}`);
  }
  const earlier = pendingFiles - ownFiles.filter((f) => bumps.some((b) => b.file === f)).length;
  if (changed.length && !own.length)
    problems.push(
      `This change alters ${changed.join(', ')} (${baseName}..working tree), but ${
        ownFiles.length
          ? `its changesets (${ownFiles.join(', ')}) name no @codex package`
          : 'adds or modifies no changeset of its own'
      } (the ${earlier} pending from earlier changes do not count): run \`pnpm changeset\` and commit the file with the change.`,
    );
  else if (breaking.length && !ownMajor)
    problems.push(
      `This change is breaking, which needs ${majorNeeded} of its own (its changesets: ${ownFiles.join(', ')}):\n${breaking.join('\n')}`,
    );
}

// B. Since the last release.
const releasedSpec = readFileSync(join(released, 'codex.yaml'), 'utf8');
if (readNow(SPEC) !== releasedSpec) {
  if (!hasChangeset)
    problems.push(`${SPEC} changed since the last release, and there is no changeset: run \`pnpm changeset\`.`);
  const check = optic(releasedSpec, join(root, SPEC));
  console.log(`\nOptic, last release -> now:\n${check.report}\n`);
  if (check.breaking && !hasMajor)
    problems.push(`${SPEC} has a breaking change since the last release, which needs ${majorNeeded}:\n${check.named}`);
}
for (const file of readdirSync(join(root, 'etc', 'api'))) {
  const before = join(released, 'api', file);
  if (!existsSync(before)) continue; // a package not released yet
  const now = significant(readFileSync(join(root, 'etc', 'api', file), 'utf8'));
  const then = significant(readFileSync(before, 'utf8'));
  const removed = then.filter((l) => !now.includes(l));
  const added = now.filter((l) => !then.includes(l));
  if (!removed.length && !added.length) continue;
  const name = `@codex/${file.replace('.api.md', '')}`;
  if (!hasChangeset)
    problems.push(
      `${name}'s public API changed since the last release, and there is no changeset: run \`pnpm changeset\`.`,
    );
  if (removed.length && !hasMajor) {
    problems.push(
      `${name}'s public API lost or changed declarations since the last release, which needs ${majorNeeded}:\n${removed.map((l) => `  - ${l}`).join('\n')}`,
    );
  }
}

if (problems.length) {
  console.error(`\n✗ Breaking-change gate:\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
console.log(
  '✓ Breaking-change gate: the change brings its own changeset for any spec or API change, nothing breaking without a major changeset.',
);
