#!/usr/bin/env node
// The usage guide is one text shown in two places (issue 21): README.md, which the repository
// shows, and packages/sdk/README.md, which npm shows for @codex/sdk, the package users install.
// It is written once, in README.md, between `<!-- guide:start … -->` and `<!-- guide:end -->`.
//
//   node scripts/sync-readme-guide.mjs          copies it into packages/sdk/README.md
//   node scripts/sync-readme-guide.mjs --check  fails if packages/sdk/README.md's copy differs
//                                               (pnpm check-readme-code runs this check)
//
// In the copy, links to files of the repository (`packages/node/README.md#proxies`) become
// absolute GitHub links, which work on npm's page too, and links to sections of README.md that
// are not in the guide (`#quick-start`) point at README.md on GitHub. Both modes also check that
// every relative link of the guide names a file of the repository and every `#section` a heading.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE = 'README.md';
export const TARGET = 'packages/sdk/README.md';
const START = /^<!-- guide:start\b.*-->$/;
const END = /^<!-- guide:end -->$/;

/** `{ before, guide, after }`: the lines around and between the markers (markers in `guide`). */
export function splitGuide(text, file) {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => START.test(line));
  const end = lines.findIndex((line, i) => i > start && END.test(line));
  if (start < 0 || end < 0) throw new Error(`${file}: no <!-- guide:start --> … <!-- guide:end --> section`);
  return {
    before: lines.slice(0, start).join('\n'),
    guide: lines.slice(start, end + 1).join('\n'),
    after: lines.slice(end + 1).join('\n'),
  };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchors = (markdown) =>
  new Set(
    outsideCode(markdown)
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ''))),
  );

/** The lines that are not in a fenced code block (those are left as they are). */
function outsideCode(markdown) {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** Applies `rewrite(target)` to each Markdown link target `](target)` outside code blocks. */
function mapLinks(markdown, rewrite) {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      if (fenced || line.startsWith('```')) return line;
      return line.replace(/\]\(([^)\s]+)\)/g, (_, target) => `](${rewrite(target)})`);
    })
    .join('\n');
}

/** The repository's web address, from @codex/sdk's package.json (`https://github.com/o/r`). */
export function repositoryUrl() {
  const { repository } = JSON.parse(readFileSync(join(root, 'packages/sdk/package.json'), 'utf8'));
  return String(repository?.url ?? repository)
    .replace(/^git\+/, '')
    .replace(/\.git$/, '');
}

/**
 * The guide as packages/sdk/README.md holds it, and the problems found in its links: relative
 * links that name no file of the repository, `#sections` that are no heading of README.md.
 */
export function copyForSdk(guide, rootReadme, { repo = repositoryUrl(), branch = 'main' } = {}) {
  const problems = [];
  const inGuide = anchors(guide);
  const inRoot = anchors(rootReadme);
  const copy = mapLinks(guide, (target) => {
    if (/^[a-z][a-z+.-]*:/i.test(target)) return target; // https:, mailto:...
    if (target.startsWith('#')) {
      if (inGuide.has(target.slice(1))) return target;
      if (!inRoot.has(target.slice(1))) problems.push(`no heading for the link ${target}`);
      return `${repo}/blob/${branch}/${SOURCE}${target}`;
    }
    const [path, hash = ''] = target.split('#');
    const file = join(root, path);
    if (!existsSync(file)) {
      problems.push(`the link ${target} names no file of the repository`);
      return target;
    }
    if (hash && path.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(hash))
      problems.push(`no heading for the link ${target}`);
    const kind = statSync(file).isDirectory() ? 'tree' : 'blob';
    return `${repo}/${kind}/${branch}/${path.replace(/\/$/, '')}${hash ? `#${hash}` : ''}`;
  });
  return { copy, problems };
}

/** What packages/sdk/README.md should be, and the link problems; reads both READMEs. */
export function expected() {
  const source = readFileSync(join(root, SOURCE), 'utf8');
  const target = readFileSync(join(root, TARGET), 'utf8');
  const { copy, problems } = copyForSdk(splitGuide(source, SOURCE).guide, source);
  const { before, after } = splitGuide(target, TARGET);
  return { current: target, wanted: `${before}\n${copy}\n${after}`, problems };
}

/** Problems that `--check` reports: link problems, and a copy that differs. Empty: in sync. */
export function checkGuide() {
  const { current, wanted, problems } = expected();
  const found = problems.map((problem) => `${SOURCE} (usage guide): ${problem}`);
  if (current !== wanted)
    found.push(
      `${TARGET}: its usage guide differs from ${SOURCE}'s. Edit the guide in ${SOURCE}, then run \`node scripts/sync-readme-guide.mjs\`.`,
    );
  return found;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--check')) {
    const problems = checkGuide();
    for (const problem of problems) console.error(`✗ ${problem}`);
    if (problems.length) process.exit(1);
    console.log(`✓ ${TARGET} holds ${SOURCE}'s usage guide.`);
  } else {
    const { current, wanted, problems } = expected();
    for (const problem of problems) console.error(`✗ ${SOURCE} (usage guide): ${problem}`);
    if (current !== wanted) writeFileSync(join(root, TARGET), wanted);
    console.log(current === wanted ? `${TARGET} is up to date.` : `Copied ${SOURCE}'s usage guide into ${TARGET}.`);
    if (problems.length) process.exit(1);
  }
}
