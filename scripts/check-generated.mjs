#!/usr/bin/env node
// Fails when the working tree's generated files are not what `pnpm generate` makes of the working
// tree's spec and generator. It runs `pnpm generate` in a throwaway copy of the working tree (the
// generated files left out, node_modules linked to this checkout's) and compares file by file, so
// freshly generated output passes whether or not it is committed yet, and a file the generator no
// longer writes fails. The working tree itself is not touched.
//   node scripts/check-generated.mjs [--keep]   (--keep: leave the copy in place and print where)
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `pnpm generate` writes: folders it owns entirely, and single files. */
export const GENERATED = [
  'packages/core/src/generated',
  'packages/dev-server/src/generated',
  'api.md',
  'packages/cli/src/commands.gen.ts',
];

const SKIP = new Set(['node_modules', '.git', '.turbo', '.tools', 'dist', '.tsbuild', 'coverage']);
const posix = (path) => path.split(sep).join('/');
const isGenerated = (file, generated) => generated.some((g) => file === g || file.startsWith(`${g}/`));

/** Files of the working tree (tracked or untracked, not ignored), relative with forward slashes. */
function workingTreeFiles(root) {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f && existsSync(join(root, f)));
  // Not a git checkout: every file but dependencies and build output.
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk('');
  return files;
}

/** Every file under `path` (a folder or a single file) in `root`: relative path -> contents. */
function filesAt(root, path) {
  const out = new Map();
  const full = join(root, path);
  if (!existsSync(full)) return out;
  if (!lstatSync(full).isDirectory()) {
    out.set(path, readFileSync(full));
    return out;
  }
  for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = posix(relative(root, join(entry.parentPath ?? entry.path, entry.name)));
    out.set(file, readFileSync(join(root, file)));
  }
  return out;
}

/**
 * Copies the working tree of `root` to `copy` without the generated files, with every node_modules
 * folder linked to `root`'s.
 */
export function copyWithoutGenerated(root, copy, generated = GENERATED) {
  const files = workingTreeFiles(root);
  for (const file of files) {
    if (isGenerated(file, generated)) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  for (const dir of new Set([
    '',
    ...files.filter((f) => /(^|\/)package\.json$/.test(f)).map((f) => posix(dirname(f))),
  ])) {
    const modules = join(root, dir === '.' ? '' : dir, 'node_modules');
    const link = join(copy, dir === '.' ? '' : dir, 'node_modules');
    if (existsSync(modules) && !existsSync(link)) {
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(modules, link, process.platform === 'win32' ? 'junction' : 'dir');
    }
  }
}

/** Differences between the working tree's generated files and the fresh ones. */
export function compareGenerated(root, fresh, generated = GENERATED) {
  const differences = [];
  for (const path of generated) {
    const now = filesAt(root, path);
    const made = filesAt(fresh, path);
    for (const [file, contents] of made) {
      if (!now.has(file)) differences.push({ file, kind: 'missing' });
      else if (!now.get(file).equals(contents)) differences.push({ file, kind: 'changed' });
    }
    for (const file of now.keys()) if (!made.has(file)) differences.push({ file, kind: 'extra' });
  }
  return differences.sort((a, b) => a.file.localeCompare(b.file));
}

const EXPLAIN = {
  changed: 'differs from what pnpm generate writes',
  missing: 'is generated but missing from the working tree',
  extra: 'is not generated any more (delete it)',
};

/**
 * Generates into a copy of `root` with `generate(copy)` (by default `pnpm generate` there) and
 * compares. Returns { ok, differences, output, copy }.
 */
export function checkGenerated(root, { generate = pnpmGenerate, generated = GENERATED, keep = false } = {}) {
  const copy = mkdtempSync(join(tmpdir(), 'codex-check-generated-'));
  try {
    copyWithoutGenerated(root, copy, generated);
    const run = generate(copy, root);
    if (run.status !== 0) return { ok: false, failed: true, output: run.output, copy };
    const differences = compareGenerated(root, copy, generated);
    return { ok: differences.length === 0, differences, output: run.output, copy };
  } finally {
    if (!keep) rmSync(copy, { recursive: true, force: true });
  }
}

/** `pnpm generate` in `copy`, its own turbo cache bypassed. */
function pnpmGenerate(copy, root) {
  const PATH = [join(root, '.tools', 'node_modules', '.bin'), join(root, 'node_modules', '.bin'), process.env.PATH];
  const result = spawnSync('pnpm', ['run', 'generate'], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, PATH: PATH.join(delimiter), TURBO_FORCE: 'true', TURBO_TELEMETRY_DISABLED: '1' },
    shell: process.platform === 'win32',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) return { status: 1, output: `could not run pnpm: ${result.error.message}` };
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** The first lines of a diff between a working-tree file and its fresh version. */
function diffExcerpt(root, copy, file, lines = 30) {
  const result = spawnSync(
    'git',
    ['--no-pager', 'diff', '--no-index', '--no-color', '--', join(root, file), join(copy, file)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const body = (result.stdout ?? '').split('\n').filter((l) => !/^(diff --git|index |--- |\+\+\+ )/.test(l));
  return body.slice(0, lines).join('\n') + (body.length > lines ? `\n… (${body.length - lines} more lines)` : '');
}

// Run as a script (not imported by its test).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = checkGenerated(root, { keep: true });
  if (result.failed) {
    console.error(
      `${result.output}\n✗ pnpm generate failed (in a copy of the working tree); fix the spec or the generator.`,
    );
    process.exitCode = 1;
  } else if (!result.ok) {
    console.error(
      '\n✗ Generated files are out of date with openapi/codex.yaml or the generator (compared with a fresh `pnpm generate` of the working tree):\n',
    );
    for (const { file, kind } of result.differences) console.error(`  ${kind.padEnd(9)}${file} ${EXPLAIN[kind]}`);
    const first = result.differences.find((d) => d.kind === 'changed');
    if (first)
      console.error(`\n${first.file}, working tree -> generated:\n${diffExcerpt(root, result.copy, first.file)}`);
    console.error('\nRun `pnpm generate` and commit the result.');
    process.exitCode = 1;
  } else {
    console.log(`✓ Generated files (${GENERATED.join(', ')}) match a fresh \`pnpm generate\` of the working tree.`);
  }
  if (process.argv.includes('--keep')) console.error(`(the copy with the fresh generation: ${result.copy})`);
  else rmSync(result.copy, { recursive: true, force: true });
}
