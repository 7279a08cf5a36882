import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiKey, codex, devServer, documentsOn, environment, RW, start } from './helpers';
import { applied, batches, expectExactly, KEY, quiet, rows, summaryOf, waitUntil, writeRows } from './import-helpers';

// An import that did not end well: run again after the file changed, requests whose answers were
// lost, errors every request would get, Ctrl-C, a failed-lines file that cannot be written.

describe('codex documents import, resumed and stopped', () => {
  it('a line fixed after a run: only its chunk differs, refused as changed, the others replayed, no duplicates', async () => {
    const server = await devServer();
    const env = environment(server);
    const lines = rows(250);
    const fixed = lines[9] as string;
    lines[9] = '{"title": "broken';
    const file = writeRows(env.HOME as string, lines);
    const args = ['documents', 'import', file, '--idempotency-key', KEY];
    const first = await codex(args, env);
    expect(summaryOf(first.stdout)).toMatchObject({ imported: 249, failed: 1 });

    // Line 10 fixed: chunk 0 (lines 1–100) differs from what the API got under its key; the
    // chunks of lines 101–250 are the same, and replayed.
    lines[9] = fixed;
    writeRows(env.HOME as string, lines);
    const second = await codex(args, env);
    expect(second.code).toBe(1);
    expect(summaryOf(second.stdout)).toMatchObject({
      lines: 250,
      imported: 150,
      replayed: 150,
      changed: 100,
      failed: 0,
      failed_file: null,
    });
    expect(second.stderr).toContain(
      'lines 1–100 changed since the run that used this key: not imported again (the API keeps what that run sent; import the changed lines alone with a new --idempotency-key)',
    );
    // The lines already imported are not offered for importing again.
    expect(existsSync(join(env.HOME as string, 'rows.failed.jsonl'))).toBe(false);
    expect(second.stderr).not.toMatch(/422 idempotency_key_reused: 422/);
    expect(await documentsOn(server)).toHaveLength(249);
  });

  it('answers lost without a key: the generated key resumes, lines not confirmed are not "failed"', async () => {
    const server = await devServer();
    const env = environment(server);
    // Every attempt of the 3 chunks (3 each, with the retries) applied, its answer lost.
    server.admin.fault({ operationId: 'batchDocuments', count: 9, type: 'lose-response' });
    const file = writeRows(env.HOME as string, rows(250));
    const first = await codex(['documents', 'import', file], env);
    expect(first.code).toBe(1);
    const summary = summaryOf(first.stdout);
    expect(summary).toMatchObject({ imported: 0, failed: 0, not_confirmed: 250, failed_file: null });
    const key = summary.idempotency_key;
    expect(first.stderr).toMatch(new RegExp(`^No --idempotency-key given: resume with --idempotency-key ${key}\n`));
    expect(first.stderr).toContain(
      `Some requests failed as a whole: to retry them, run the same command with --idempotency-key ${key}: what the API already applied is replayed, not applied twice.`,
    );
    expect(first.stderr).not.toContain('Failed lines are in');
    expect(existsSync(join(env.HOME as string, 'rows.failed.jsonl'))).toBe(false);

    const second = await codex(['documents', 'import', file, '--idempotency-key', key], env);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second.stdout)).toMatchObject({ imported: 250, replayed: 250 });
    expectExactly(await documentsOn(server), 250);
  });

  it('a wrong secret: stops at the first 401, one error line, no failed file', async () => {
    const server = await devServer();
    const env = environment(server, { CODEX_API_KEY: apiKey({ ...RW, clientSecret: 'cdx_sk_wrong' }) });
    const file = writeRows(env.HOME as string, rows(2500));
    const run = await codex(['documents', 'import', file, '--idempotency-key', KEY], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    // The progress line, then the one error line.
    expect(run.stderr).toMatch(/\nerror: 401 invalid_client: [^\n]* \(request req_\w+\)\n$/);
    expect(run.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(existsSync(join(env.HOME as string, 'rows.failed.jsonl'))).toBe(false);
    expect(batches(server)).toEqual([]);
  });

  it('nothing listening: stops at once with connection_error', async () => {
    const server = await devServer();
    const env = environment(server);
    await server.close();
    const file = writeRows(env.HOME as string, rows(2500));
    const run = await codex(['documents', 'import', file], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^error: connection_error: .*ECONNREFUSED/);
    expect(existsSync(join(env.HOME as string, 'rows.failed.jsonl'))).toBe(false);
  });

  it('SIGINT: no new chunks, those in flight settle, the summary and the key, exit 130; resumed exactly once', async () => {
    const server = await devServer({ rateLimit: { limit: 2, windowSeconds: 1 } });
    const env = environment(server);
    const file = writeRows(env.HOME as string, rows(2500));
    const args = ['documents', 'import', file, '--idempotency-key', KEY];
    const first = start(args, env);
    await waitUntil(() => applied(server).length >= 2, 'the API to apply 2 chunks');
    first.child.kill('SIGINT');
    const run = await first.done;
    expect(run.code).toBe(130);
    const summary = summaryOf(run.stdout);
    expect(summary.interrupted_after_line).toBeLessThan(2500);
    expect(summary.imported).toBeGreaterThanOrEqual(200);
    expect(run.stderr).toContain(
      `Interrupted after line ${summary.interrupted_after_line}: to finish, run the same command with --idempotency-key ${KEY}`,
    );
    await quiet(server);

    server.admin.configure({ rateLimit: { limit: 1000, windowSeconds: 60 } });
    const second = await codex(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second.stdout).replayed).toBeGreaterThanOrEqual(summary.imported);
    expectExactly(await documentsOn(server), 2500);
  }, 120_000);

  it('--failed in a directory that does not exist: a usage error before anything is sent', async () => {
    const server = await devServer();
    const env = environment(server);
    const file = writeRows(env.HOME as string, rows(3));
    const run = await codex(['documents', 'import', file, '--failed', '/nonexistent/dir/f.jsonl'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: --failed \/nonexistent\/dir\/f\.jsonl cannot be written: no directory/);
    expect(server.admin.requests()).toEqual([]);
  });

  it('a default failed file left by an earlier run is removed when this run has no failures', async () => {
    const server = await devServer();
    const env = environment(server);
    const file = writeRows(env.HOME as string, rows(3));
    const stale = join(env.HOME as string, 'rows.failed.jsonl');
    writeFileSync(stale, 'nope\n');
    const run = await codex(['documents', 'import', file], env);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(run.stderr).toContain(`Removed ${stale}, left by an earlier run: this run had no failed lines.`);

    // With failures, it is overwritten with this run's.
    writeFileSync(stale, 'old\n');
    writeRows(env.HOME as string, [...rows(3), 'new']);
    await codex(['documents', 'import', file], env);
    expect(readFileSync(stale, 'utf8')).toBe('new\n');
  });
});

describe('codex documents import, streamed', () => {
  it('a 40 MB file imports within a 32 MB heap: lines are sent as read, documents not kept', async () => {
    const server = await devServer();
    const env = environment(server, { NODE_OPTIONS: '--max-old-space-size=32' });
    const content = 'x'.repeat(4000);
    const file = join(env.HOME as string, 'big.jsonl');
    writeFileSync(
      file,
      Array.from({ length: 10_000 }, (_, i) => `{"title":"Row ${i}","content":"${content}"}\n`).join(''),
    );
    const run = await codex(['documents', 'import', file, '--idempotency-key', KEY], env);
    expect(run.code, run.stderr.slice(-500)).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ lines: 10_000, imported: 10_000 });
  });
});
