#!/usr/bin/env node
// Type-checks every TypeScript and JavaScript code block of the READMEs (issue 13, item 8), against
// the built packages (dist .d.ts, as users get them): a README that shows an option, a method or
// an import that does not exist fails CI. Run after `pnpm build`.
//
// - Each block is one module, checked as written (strict; JavaScript with checkJs). A block that
//   needs context it does not show (an Express `app`, a CA bundle) declares it in an HTML comment
//   right above it, which readers do not see:  <!-- check: const app = /** @type {any} */ (undefined); -->
// - `const x = require('m')` is checked as `import * as x from 'm'` (the same types; a CommonJS
//   file could not hold the top-level await these snippets use, which Node's REPL allows).
// - Blocks for Deno (`jsr:@codex/deno`) are checked by `deno check` against packages/deno.
//
// Written here rather than taken from a library: the doc-testing tools on npm (typescript-docs-
// verifier, tsdoc-testify...) either run the code or do not resolve workspace packages' dist types.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkGuide } from './sync-readme-guide.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LANGS = { ts: 'ts', typescript: 'ts', tsx: 'ts', js: 'mjs', javascript: 'mjs', mjs: 'mjs' };

const readmes = ['README.md'];
for (const group of ['packages', 'examples']) {
  for (const dir of readdirSync(join(root, group))) {
    if (existsSync(join(root, group, dir, 'README.md'))) readmes.push(`${group}/${dir}/README.md`);
  }
}

/** The code blocks of a Markdown file: language, first line (1-based), code and declared context. */
function blocks(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    const lang = LANGS[open[1]];
    if (lang) {
      const context = /^<!-- check: (.*) -->$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
      found.push({ file, line: i + 2, lang, code: lines.slice(i + 1, end).join('\n'), context });
    }
    i = end;
  }
  return found;
}

const all = readmes.flatMap(blocks);
const work = join(root, '.readme-check');
rmSync(work, { recursive: true, force: true });
mkdirSync(work);

// Workspace packages resolve to their built types; other imports to the package that depends on them.
const paths = {};
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  const dot = pkg.exports?.['.'];
  const types = dot?.node?.import?.types ?? dot?.import?.types ?? dot?.types ?? pkg.types;
  if (types) paths[pkg.name] = [relative(work, join(root, 'packages', dir, types))];
}
const toCheck = [];
const denoBlocks = [];
all.forEach((block, n) => {
  const code = block.code
    .replace(/^(?:const|let|var) (\w+) = require\(('[^']+'|"[^"]+")\);?/gm, 'import * as $1 from $2;')
    .replace(/^(?:const|let|var) (\{[^}]+\}) = require\(('[^']+'|"[^"]+")\);?/gm, 'import $1 from $2;');
  const source = `// ${block.file}:${block.line}\n${block.context}\n${code}\nexport {};\n`;
  if (code.includes('jsr:@codex/deno')) denoBlocks.push({ ...block, source });
  else {
    const name = `block-${n}.${block.lang}`;
    writeFileSync(join(work, name), source);
    toCheck.push({ ...block, name });
    for (const [, spec] of code.matchAll(/from ['"]([^'"]+)['"]/g)) {
      const bare = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (paths[bare] || spec.startsWith('node:') || spec.startsWith('.')) continue;
      const owner = readdirSync(join(root, 'packages')).find((d) =>
        existsSync(join(root, 'packages', d, 'node_modules', bare)),
      );
      if (owner) paths[bare] = [relative(work, join(root, 'packages', owner, 'node_modules', bare))];
    }
  }
});

writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        strict: true,
        noImplicitAny: false,
        allowJs: true,
        checkJs: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [relative(work, join(root, 'packages/node/node_modules/@types'))],
        paths,
      },
      include: ['*.ts', '*.mjs'],
    },
    null,
    2,
  ),
);

let failed = false;
// The usage guide is one text in README.md and packages/sdk/README.md (npm's page): fail if the
// copy differs or a link of the guide resolves to nothing (scripts/sync-readme-guide.mjs).
for (const problem of checkGuide()) {
  failed = true;
  console.error(problem);
}
const tsc = join(root, 'node_modules/.bin/tsc');
try {
  execFileSync(tsc, ['-p', work, '--pretty', 'false'], { cwd: work, encoding: 'utf8', stdio: 'pipe' });
} catch (error) {
  failed = true;
  // Point each error at the README line it comes from.
  for (const line of `${error.stdout}${error.stderr}`.trim().split('\n')) {
    const at = /^(block-\d+\.\w+)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = at && toCheck.find((b) => b.name === at[1]);
    console.error(block ? `${block.file}:${block.line + Number(at[2]) - 3}: ${at[4]}` : line);
  }
}

const deno = join(root, 'packages/deno/node_modules/.bin/deno');
for (const [n, block] of denoBlocks.entries()) {
  const dir = join(root, 'packages/deno/.readme-check');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `block-${n}.ts`);
  writeFileSync(file, block.source.replaceAll('jsr:@codex/deno', '../mod.ts'));
  try {
    execFileSync(deno, ['check', '--quiet', file], {
      cwd: join(root, 'packages/deno'),
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' },
    });
  } catch (error) {
    failed = true;
    console.error(`${block.file}:${block.line}: deno check failed\n${error.stdout}${error.stderr}`);
  }
}
rmSync(join(root, 'packages/deno/.readme-check'), { recursive: true, force: true });

if (failed) {
  console.error('\nA README code block does not type-check, or the usage guide is out of sync (see above).');
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
console.log(`README code blocks type-check: ${all.length} blocks in ${readmes.length} READMEs.`);
