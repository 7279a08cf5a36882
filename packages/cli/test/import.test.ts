import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codex, devServer, documentsOn, environment, start } from './helpers';
import { applied, batches, expectExactly, KEY, quiet, rows, summaryOf, waitUntil, writeRows } from './import-helpers';

// `codex documents import <file>` (issue 23): every line a document to create, sent through the
// batch endpoint at the key's quota; resumable with --idempotency-key; failed lines to a file.

describe('codex documents import', () => {
  it('2,500 lines under a scaled quota (10 requests per 2 s): 25 batch requests, exit 0, every line once', async () => {
    const server = await devServer({ rateLimit: { limit: 10, windowSeconds: 2 } });
    const env = environment(server);
    const file = writeRows(env.HOME as string, rows(2500));
    const run = await codex(['documents', 'import', file], env);
    expect(run.code, run.stderr).toBe(0);

    const summary = summaryOf(run.stdout);
    expect(summary).toMatchObject({ lines: 2500, imported: 2500, failed: 0, replayed: 0, failed_file: null });
    // The token request and 25 chunks of 100, all at the key's quota: paced, not refused.
    const sent = server.admin.requests();
    expect(summary.requests).toBe(sent.length);
    expect(batches(server).filter((r) => r.status === 200)).toHaveLength(25);
    // Pacing keeps 429s rare (the odd one at a window's edge, on a loaded machine, is retried).
    expect(sent.filter((r) => r.status === 429).length).toBeLessThanOrEqual(5);
    // 26 requests at 10 per 2-second window take more than two windows.
    expect(summary.seconds).toBeGreaterThan(2);

    // Progress on stderr, a line every few seconds (stderr is not a terminal), then the summary.
    // Without --idempotency-key, the key generated for this run comes first: every import can be resumed.
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(`No --idempotency-key given: resume with --idempotency-key ${summary.idempotency_key}`);
    expect(summary.idempotency_key).toMatch(/^import-[0-9a-f-]{36}$/);
    expect(lines[1]).toMatch(/^documents import: 0\/2500 lines, \d+\.\d s$/);
    expect(lines.at(-1)).toBe(
      `imported 2500 of 2500 lines, 0 failed, in ${summary.requests} requests, ${summary.seconds.toFixed(1)} s`,
    );
    expectExactly(await documentsOn(server), 2500);
  }, 120_000);

  it('invalid lines go to --failed, the others are imported; exit 1; the fixed file imports', async () => {
    const server = await devServer();
    const env = environment(server);
    const good = rows(150);
    const bad = [
      '{"title": "unterminated',
      '{"content": "no title"}',
      '["an", "array"]',
      '{"title":"Extra","content":"x","owner":"me"}',
    ];
    // Blank lines are skipped; bad ones anywhere, including in the second chunk.
    const lines = [
      ...good.slice(0, 10),
      bad[0],
      '',
      ...good.slice(10, 120),
      bad[1],
      bad[2],
      '   ',
      ...good.slice(120),
      bad[3],
    ] as string[];
    const file = writeRows(env.HOME as string, lines);
    const failedFile = join(env.HOME as string, 'failed.jsonl');

    const run = await codex(['documents', 'import', file, '--failed', failedFile], env);
    expect(run.code).toBe(1);
    expect(summaryOf(run.stdout)).toMatchObject({ lines: 154, imported: 150, failed: 4, failed_file: failedFile });
    // The failed lines as they were, to fix and import again.
    expect(readFileSync(failedFile, 'utf8')).toBe(`${bad.join('\n')}\n`);
    const stderr = run.stderr.trim().split('\n');
    expect(stderr).toEqual(
      expect.arrayContaining([
        'line 11: the line is not JSON: Unterminated string in JSON at position 23',
        'line 123: the line has no "title"',
        'line 124: the line must be a JSON object (got \'["an", "array"]\')',
        // additionalProperties: false, checked before sending.
        "line 156: the line has 'owner': not a field (the fields are title, content, metadata)",
        `Failed lines are in ${failedFile}: fix them and import that file (with a new --idempotency-key).`,
      ]),
    );
    // The four lines the CLI refused were never sent: 150 operations in two chunks.
    expect(batches(server)).toHaveLength(2);

    writeFileSync(failedFile, `${JSON.stringify({ title: 'Fixed', content: 'now valid' })}\n`);
    const again = await codex(
      ['documents', 'import', failedFile, '--failed', join(env.HOME as string, 'failed2.jsonl')],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again.stdout)).toMatchObject({ imported: 1, failed: 0, failed_file: null });
    // A named --failed file is written even when nothing failed: it holds this run's failures.
    expect(readFileSync(join(env.HOME as string, 'failed2.jsonl'), 'utf8')).toBe('');
    expect(await documentsOn(server)).toHaveLength(151);
  });

  it('reads stdin with -, and writes failures next to the file by default', async () => {
    const server = await devServer();
    const env = environment(server);
    const run = await codex(['documents', 'import', '-', '-o', 'json'], env, {
      input: `${rows(3).join('\n')}\nnope\n`,
    });
    expect(run.code).toBe(1);
    expect(summaryOf(run.stdout)).toMatchObject({ imported: 3, failed: 1, failed_file: 'import.failed.jsonl' });
    expect(readFileSync(join(env.HOME as string, 'import.failed.jsonl'), 'utf8')).toBe('nope\n');

    const file = writeRows(env.HOME as string, ['nope'], 'more.jsonl');
    const second = await codex(['documents', 'import', file], env);
    expect(summaryOf(second.stdout).failed_file).toBe(join(env.HOME as string, 'more.failed.jsonl'));
  });

  it('a file that cannot be read: exit 1, one line', async () => {
    const server = await devServer();
    const run = await codex(['documents', 'import', 'missing.jsonl'], environment(server));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot read missing\.jsonl: ENOENT: no such file or directory.*\n$/);
    expect(server.admin.requests()).toEqual([]);
  });

  it('SIGKILLed half-way and run again with the same --idempotency-key: every line exactly once', async () => {
    // 2 requests a second: the 25 chunks would take about 13 s.
    const server = await devServer({ rateLimit: { limit: 2, windowSeconds: 1 } });
    const env = environment(server);
    const file = writeRows(env.HOME as string, rows(2500));
    const args = ['documents', 'import', file, '--idempotency-key', KEY];

    const first = start(args, env);
    await waitUntil(() => applied(server).length >= 3, 'the API to apply 3 chunks');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    await quiet(server);
    const before = applied(server);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(25);
    expect(first.stdout()).toBe(''); // no summary: it never finished

    // The second run, unthrottled so that it is quick: the chunks applied before are replayed.
    server.admin.configure({ rateLimit: { limit: 1000, windowSeconds: 60 } });
    server.admin.clearRequests();
    const second = await codex(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second.stdout)).toMatchObject({
      lines: 2500,
      imported: 2500,
      failed: 0,
      replayed: before.length * 100,
    });
    expect(second.stderr).toContain(`(${before.length * 100} replayed from an earlier run with this key)`);
    const replayed = batches(server).filter((r) => r.replayed);
    expect(replayed.map((r) => r.idempotencyKey).sort()).toEqual(before);
    expect(applied(server)).toHaveLength(25 - before.length);
    expectExactly(await documentsOn(server), 2500);
  }, 120_000);
});
