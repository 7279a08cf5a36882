import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { buildCall, checkIdempotencyKey } from './build-call';
import { checked, clientMethod, createClient } from './client';
import type { CommandSpec } from './command-table';
import { formatOf, writeValue } from './output';
import { startProgress } from './progress';
import { openInput } from './read-input';
import { UsageError } from './usage-error';

// `codex <resource> import <file>`: each line of a JSON Lines file is the body of the resource's
// create, sent as operation `create` of the batch operation the spec names (x-codex-batchable),
// through the client's batch method: chunks of the spec's size, paced at the key's quota, retried.
// With --idempotency-key the run is resumable: the operations are the file's valid lines in order,
// the same on every run, so the SDK derives the same key for each chunk and the API replays the
// chunks it already applied (README, "Resumable imports").

type Outcome = {
  index: number;
  status: number;
  error?: { code: string; message: string; param?: string };
  idempotencyKey?: string;
};
type BatchWithResponse = {
  withResponse(): Promise<{ data: Outcome[]; responses: Array<{ response: Response } | undefined> }>;
};
/** A line that was not imported: its number (from 1), its text as it was, and why. */
type Failure = { line: number; text: string; reason: string };

/** Failures listed on stderr before the summary; all of them are in the failed-lines file. */
const LISTED_FAILURES = 10;

/** The file's lines, without their line ends. */
async function readLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const line of createInterface({ input: openInput(file), crlfDelay: Number.POSITIVE_INFINITY }))
      lines.push(line);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  return lines;
}

/** Where failed lines go without --failed: next to the file (`rows.jsonl` → `rows.failed.jsonl`). */
export function defaultFailedFile(file: string): string {
  return file === '-' ? 'import.failed.jsonl' : `${file.replace(/\.jsonl?$/, '')}.failed.jsonl`;
}

export async function runImport(create: CommandSpec, via: CommandSpec, command: Command): Promise<void> {
  const [file = '-'] = command.args;
  const flags = command.opts<{ idempotencyKey?: string; failed?: string; output?: string }>();
  const { idempotencyKey } = flags;
  if (idempotencyKey !== undefined) checked(command, () => checkIdempotencyKey(idempotencyKey));
  const batchable = create.batchable as NonNullable<CommandSpec['batchable']>;
  const maxOperations = via.batch?.maxOperations ?? 1;
  const started = performance.now();

  // Each line is checked as `create --data <line>` would be; a line that fails stays out of the
  // operations, the same way on every run.
  const lines = await readLines(file);
  const failures: Failure[] = [];
  const operations: unknown[] = [];
  const lineOf: number[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      const body = buildCall(create, { args: [], flags: {}, data: text, dataName: 'the line' }).args.at(-1);
      operations.push({
        op: batchable.op,
        ...(batchable.bodyField ? { [batchable.bodyField]: body } : (body as object)),
      });
      lineOf.push(i);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      failures.push({ line: i + 1, text, reason: error.message });
    }
  });

  const nonBlank = operations.length + failures.length;
  let requests = 0;
  const client = await createClient(command, {
    onRequest: () => {
      requests++;
    },
  });
  const batch = clientMethod(client, via.resource, via.command);
  const progress = await startProgress(`${create.resource} import`, operations.length);
  let outcomes: Outcome[] = [];
  let replayedChunks = new Set<number>();
  try {
    if (operations.length) {
      const options = { ...(idempotencyKey !== undefined && { idempotencyKey }), onProgress: progress.update };
      const { data, responses } = await (batch(operations, options) as BatchWithResponse).withResponse();
      outcomes = data;
      replayedChunks = new Set(
        responses.flatMap((r, chunk) => (r?.response.headers.get('Idempotent-Replayed') === 'true' ? [chunk] : [])),
      );
    }
  } finally {
    progress.stop();
  }

  for (const outcome of outcomes) {
    if (!outcome.error) continue;
    const i = lineOf[outcome.index] as number;
    const { code, message, param } = outcome.error;
    const status = outcome.status ? `${outcome.status} ` : '';
    failures.push({
      line: i + 1,
      text: lines[i] as string,
      reason: `${status}${code}${param ? ` (${param})` : ''}: ${message}`,
    });
  }
  failures.sort((a, b) => a.line - b.line);
  const failedFile = flags.failed ?? (failures.length ? defaultFailedFile(file) : undefined);
  if (failedFile !== undefined) writeFileSync(failedFile, failures.map((f) => `${f.text}\n`).join(''));

  const summary = {
    lines: nonBlank,
    imported: outcomes.filter((o) => !o.error).length,
    failed: failures.length,
    replayed: outcomes.filter((o) => !o.error && replayedChunks.has(Math.floor(o.index / maxOperations))).length,
    requests,
    seconds: Math.round(performance.now() - started) / 1000,
    failed_file: failures.length ? (failedFile as string) : null,
  };
  report(
    summary,
    failures,
    outcomes.some((o) => o.error && o.idempotencyKey !== undefined),
  );
  // JSON for scripts: when asked for, or when stdout is not a person's terminal.
  if (flags.output !== undefined || !process.stdout.isTTY) writeValue(summary, formatOf(flags.output, false));
  if (failures.length) process.exitCode = 1;
}

function report(
  summary: {
    lines: number;
    imported: number;
    failed: number;
    replayed: number;
    requests: number;
    seconds: number;
    failed_file: string | null;
  },
  failures: readonly Failure[],
  wholeRequestsFailed: boolean,
): void {
  const out: string[] = failures.slice(0, LISTED_FAILURES).map((f) => `line ${f.line}: ${f.reason}`);
  if (failures.length > LISTED_FAILURES) out.push(`... and ${failures.length - LISTED_FAILURES} more`);
  const replayed = summary.replayed ? ` (${summary.replayed} replayed from an earlier run with this key)` : '';
  out.push(
    `imported ${summary.imported} of ${summary.lines} lines${replayed}, ${summary.failed} failed, in ${summary.requests} requests, ${summary.seconds.toFixed(1)} s`,
  );
  if (wholeRequestsFailed)
    out.push('Some requests failed as a whole: run the same command again (same --idempotency-key) to retry them.');
  if (summary.failed_file)
    out.push(
      `Failed lines are in ${summary.failed_file}: fix them and import that file (with a new --idempotency-key).`,
    );
  process.stderr.write(`${out.join('\n')}\n`);
}
