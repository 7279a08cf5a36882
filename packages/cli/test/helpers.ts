import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type RunningServer, type StartOptions, startServer } from '@codex/dev-server';
import { afterAll, afterEach, expect } from 'vitest';

// The end-to-end tests run the built bin, `node dist/cli.js`, as a child process, as a user's
// shell would, against @codex/dev-server on 127.0.0.1 (started in the test process, which reads
// its request log). Every run's output is kept, and each test file ends by checking that the
// client secret appears in none of it, and an access token only in `codex auth token`'s stdout.

export const BIN = new URL('../dist/cli.js', import.meta.url).pathname;
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm --filter @codex/cli build\` first.`);

export const RW = { clientId: 'cdx_id_cli', clientSecret: 'cdx_sk_cli_s3cret_never_printed', readOnly: false };
export const RO = { clientId: 'cdx_id_cli_ro', clientSecret: 'cdx_sk_cli_ro_s3cret_never_printed', readOnly: true };
export const apiKey = (key: { clientId: string; clientSecret: string }) => `${key.clientId}:${key.clientSecret}`;

export type Run = {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};
const runs: Run[] = [];

/** Adds a run made otherwise than by `start` (in a terminal) to the end-of-file check of outputs. */
export function recordRun(run: Run): void {
  runs.push(run);
}

const servers: RunningServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  for (const run of runs) {
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output, `codex ${run.args.join(' ')}`).not.toContain(RW.clientSecret);
    expect(output, `codex ${run.args.join(' ')}`).not.toContain(RO.clientSecret);
    const tokenAllowed = run.args.includes('auth') && run.args.includes('token');
    expect(tokenAllowed ? run.stderr : output, `codex ${run.args.join(' ')}`).not.toMatch(/cdx_at_/);
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codex-cli-test-'));
  dirs.push(dir);
  return dir;
}

/** @codex/dev-server on a free port of 127.0.0.1, with the RW and RO keys; closed after the test. */
export async function devServer(options: StartOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, keys: [RW, RO], ...options });
  servers.push(server);
  return server;
}

/**
 * The environment of a run: no variable of this process's (a developer's CODEX_API_KEY must not
 * leak in), a HOME and cache directory of the test's own (the token cache is a file there).
 */
export function environment(server: RunningServer | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = tempDir();
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    ...(server && { CODEX_API_KEY: apiKey(RW), CODEX_BASE_URL: server.url }),
    ...extra,
  };
}

export type Child = {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** The whole run, once the process has exited and its output is read. */
  done: Promise<Run>;
};

/** Starts `codex <args>`. */
export function start(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; cwd?: string } = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    cwd: options.cwd ?? (env.HOME as string),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.on('error', () => {}); // a process that exits before reading stdin
  child.stdin.end(options.input ?? '');
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => {
      const run = { args, code, signal, stdout, stderr };
      runs.push(run);
      resolve(run);
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `codex <args>` to its end. */
export function codex(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; cwd?: string } = {}) {
  return start(args, env, options).done;
}

/** Every line of stdout as JSON. */
export const jsonLines = (run: Run) =>
  run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Every document on the server, through the API (not the CLI). Lifts the server's rate limit first. */
export async function documentsOn(server: RunningServer): Promise<Array<{ id: string; title: string }>> {
  const documents: Array<{ id: string; title: string }> = [];
  let cursor: string | null = null;
  const token = await tokenFor(server);
  do {
    const url = `${server.url}/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      data: Array<{ id: string; title: string }>;
      next_cursor: string | null;
    };
    documents.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return documents;
}

async function tokenFor(server: RunningServer): Promise<string> {
  server.admin.configure({ rateLimit: { limit: 100_000, windowSeconds: 60 } });
  const response = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: RO.clientId, client_secret: RO.clientSecret }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
