import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForBuild } from './built.mjs';
import { median } from './stats.mjs';

// Cold start: a fresh `node` that imports @codex/node (resolved from bench/ like a user's project,
// so the built dist) against a fresh `node` that does nothing, alternating, wall time of each.

const cwd = fileURLToPath(new URL('..', import.meta.url));

async function run(code, attempts = 3, args = ['--input-type=module', '-e', code]) {
  await waitForBuild();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status === 0) return ms;
  // A build elsewhere in the workspace replacing dist between the check and the import.
  if (attempts > 1 && result.stderr.includes('ERR_MODULE_NOT_FOUND')) return run(code, attempts - 1, args);
  throw new Error(`node -e ${JSON.stringify(code)} failed: ${result.stderr}`);
}

export async function measureColdImport({ times = 20, warmup = 2 } = {}) {
  const variants = { empty: '', import: "await import('@codex/node');" };
  for (let i = 0; i < warmup; i++) for (const code of Object.values(variants)) await run(code);
  const ms = { empty: [], import: [] };
  for (let i = 0; i < times; i++) {
    // Alternate which goes first as well.
    const order = i % 2 ? ['empty', 'import'] : ['import', 'empty'];
    for (const name of order) ms[name].push(await run(variants[name]));
  }
  return { times, empty: median(ms.empty), import: median(ms.import) };
}

// Cold start of the command line (issue 23): `codex --help` (the built bin, packages/cli/dist) against
// a fresh `node` that does nothing, alternating, wall time of each.
const CLI = fileURLToPath(new URL('../../packages/cli/dist/cli.js', import.meta.url));

export async function measureCliHelp({ times = 20, warmup = 2 } = {}) {
  const variants = { empty: ['-e', ''], help: [CLI, '--help'] };
  for (let i = 0; i < warmup; i++) for (const args of Object.values(variants)) await run('', 3, args);
  const ms = { empty: [], help: [] };
  for (let i = 0; i < times; i++) {
    const order = i % 2 ? ['empty', 'help'] : ['help', 'empty'];
    for (const name of order) ms[name].push(await run('', 3, variants[name]));
  }
  return { times, empty: median(ms.empty), help: median(ms.help) };
}
