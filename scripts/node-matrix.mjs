#!/usr/bin/env node
// The Node-sensitive suites on the Node majors beside the machine's own (issue 22). `.ci/run` runs
// the whole suite on the machine's Node (20, the minimum `engines` claims), then this on 22 and 24
// (pinned in scripts/with-node.mjs, installed from npm). After `pnpm build`:
//   node scripts/node-matrix.mjs [22 24 ...]
// On each major: core's tests (fetch, timers, AbortSignal, streams), @codex/node's (with the
// contract suite, proxies, the file store, child processes), @codex/redis's without the Redis
// topology tests (cluster and sentinel failovers exercise Redis, not Node, and take 95 s), and the
// examples that run on Node (quickstart, fleet, worker in workerd via miniflare). The release
// end-to-end install runs on every major in scripts/release-e2e.mjs. Bun's contract run and the
// browser, Deno and codegen suites do not depend on the Node that drives them.
// Prints one `✓`/`✗` line per suite and major (with its test count and time); a failed suite's
// log follows its line. Exits 1 if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { countLog } from './test-summary.mjs';
import { envFor, NODE_VERSIONS } from './with-node.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const redis = ['node', '../../scripts/with-debian-package.mjs', 'redis-server'];

export const SUITES = [
  { name: 'core', cwd: 'packages/core', command: ['vitest', 'run'] },
  { name: 'node (with the contract suite)', cwd: 'packages/node', command: ['vitest', 'run'] },
  {
    name: 'redis (without cluster and sentinel)',
    cwd: 'packages/redis',
    command: [...redis, 'vitest', 'run', '--exclude', 'test/cluster.test.ts', '--exclude', 'test/sentinel.test.ts'],
  },
  {
    name: 'examples: node quickstart, fleet, worker',
    cwd: '.',
    command: [
      'sh',
      '-c',
      'node examples/node/quickstart.mjs && (cd examples/fleet && node ../../scripts/with-debian-package.mjs redis-server node run.mjs) && node examples/worker/run.mjs',
    ],
  },
];

/** Runs one suite under one major; resolves to { ok, log, seconds }. */
function run(suite, major) {
  const started = Date.now();
  return new Promise((resolve) => {
    const [command, ...args] = suite.command;
    const child = spawn(command, args, {
      cwd: new URL(suite.cwd, `file://${root}/`),
      env: { ...envFor(major), CI: process.env.CI ?? 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => {
      log += chunk;
    });
    child.stderr.on('data', (chunk) => {
      log += chunk;
    });
    child.on('error', (error) => resolve({ ok: false, log: `${log}\n${error.message}`, seconds: 0 }));
    child.on('close', (code) => resolve({ ok: code === 0, log, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Runs every suite on every major, `concurrency` suites at a time; returns the number that failed. */
export async function runMatrix(majors, { concurrency = 3, print = console.log } = {}) {
  const jobs = majors.flatMap((major) => SUITES.map((suite) => ({ major, suite })));
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { major, suite } = jobs[next++];
      const { ok, log, seconds } = await run(suite, major);
      const counts = countLog(log);
      const tests = counts.found ? `${counts.passed} passed, ${counts.failed} failed, ` : '';
      print(`${ok ? '✓' : '✗'} Node ${major}: ${suite.name} (${tests}${seconds.toFixed(0)} s)`);
      if (!ok) {
        failed++;
        print(log.split('\n').slice(-150).join('\n'));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(NODE_VERSIONS);
  for (const major of majors) {
    const version = spawnSync('node', ['--version'], { env: envFor(major), encoding: 'utf8' }).stdout.trim();
    console.log(`Node ${major}: ${version}`);
  }
  const failed = await runMatrix(majors);
  console.log(
    failed ? `\n✗ ${failed} suite(s) failed on the Node matrix` : `\n✓ the Node matrix passed (${majors.join(', ')})`,
  );
  process.exit(failed ? 1 : 0);
}
