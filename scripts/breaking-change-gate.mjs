#!/usr/bin/env node
// Breaking-change gate: compares what would be released with what was released last
// (etc/released/: the spec and the API reports, copied there by `pnpm version-packages`).
// - openapi/codex.yaml changed: a changeset is required; a breaking change (Optic's
//   breaking-changes ruleset, offline) requires a major one (see below for 0.x).
// - a package's API report (etc/api/*.api.md, kept current by `pnpm api:check`) changed: a
//   changeset is required; a removed or changed declaration requires a major one (see below for 0.x).
// Every @codex/* package shares one version (changesets `fixed`), so any major changeset counts.
// Before 1.0 (semver's "initial development", item 4), a breaking change is released as a minor
// version, as changesets does for 0.x: it then needs a minor (or major) changeset that says so,
// with a line starting "Breaking:". A 1.x or later version needs a major changeset.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const released = join(root, 'etc', 'released');
const problems = [];

// Pending changesets and their bumps.
const changesetDir = join(root, '.changeset');
const bumps = readdirSync(changesetDir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .flatMap((f) => {
    const text = readFileSync(join(changesetDir, f), 'utf8');
    const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
    const breaking = /^---\n[\s\S]*?\n---\n[\s\S]*^Breaking:/m.test(text);
    return [...front.matchAll(/^["']?(@codex\/[\w-]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => ({
      file: f,
      name: m[1],
      bump: m[2],
      breaking,
    }));
  });
const hasChangeset = bumps.length > 0;
const version = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).version;
const initialDevelopment = /^0\./.test(version);
const hasMajor = bumps.some((b) => b.bump === 'major' || (initialDevelopment && b.bump === 'minor' && b.breaking));
const majorNeeded = initialDevelopment
  ? `a minor or major changeset with a line starting "Breaking:" (version ${version}, before 1.0)`
  : 'a major changeset';
console.log(
  `pending changesets: ${hasChangeset ? bumps.map((b) => `${b.name} ${b.bump} (${b.file})`).join(', ') : 'none'}`,
);

// 1. The spec.
const spec = readFileSync(join(root, 'openapi', 'codex.yaml'), 'utf8');
const releasedSpec = readFileSync(join(released, 'codex.yaml'), 'utf8');
if (spec !== releasedSpec) {
  if (!hasChangeset)
    problems.push(
      'openapi/codex.yaml changed since the last release, and there is no changeset: run `pnpm changeset`.',
    );
  const ruleset = join(mkdtempSync(join(tmpdir(), 'codex-optic-')), 'ruleset.yml');
  writeFileSync(ruleset, 'ruleset:\n  - breaking-changes\n');
  const optic = spawnSync(
    join(root, 'node_modules', '.bin', 'optic'),
    ['diff', join(released, 'codex.yaml'), join(root, 'openapi', 'codex.yaml'), '--check', '--standard', ruleset],
    {
      encoding: 'utf8',
      env: { ...process.env, OPTIC_TELEMETRY_LEVEL: 'off', NO_COLOR: '1' },
    },
  );
  const report = `${optic.stdout}${optic.stderr}`.trim();
  console.log(`\nOptic, last release -> now:\n${report}\n`);
  if (optic.status !== 0 && !hasMajor) {
    const named = report
      .split('\n')
      .filter((l) => /breaking change|cannot |required|removed/i.test(l))
      .map((l) => `  ${l.trim()}`);
    problems.push(
      `openapi/codex.yaml has a breaking change, which needs ${majorNeeded}:\n${named.join('\n') || report}`,
    );
  }
}

// 2. The public TypeScript API of each package.
const significant = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => l && !l.startsWith('//') && !l.startsWith('>') && !l.startsWith('#') && l !== '```' && l !== '```ts',
    );
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
      `${name}'s public API lost or changed declarations, which needs ${majorNeeded}:\n${removed.map((l) => `  - ${l}`).join('\n')}`,
    );
  }
}

if (problems.length) {
  console.error(`\n✗ Breaking-change gate:\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
console.log('✓ Breaking-change gate: nothing breaking without a major changeset, nothing changed without a changeset.');
