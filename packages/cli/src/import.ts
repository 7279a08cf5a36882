import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { chunkIdempotencyKey } from '@codex/node';
import type { Command } from 'commander';
import { buildCall, checkIdempotencyKey } from './build-call';
import { checked, clientMethod, createClient } from './client';
import type { CommandSpec } from './command-table';
import { checkWritable, defaultFailedFile, writeFailed } from './failed-file';
import { reportImport } from './import-report';
import { type Chunk, type Outcome, type Tally, tallyChunk } from './import-tally';
import { formatOf, writeValue } from './output';
import { startProgress } from './progress';
import { UsageError } from './usage-error';

// `codex <resource> import <file>`: each line of a JSON Lines file is the body of the resource's
// create, sent as operation `create` of the batch operation the spec names (x-codex-batchable).
// - The file is streamed: chunk i is lines 100i+1 to 100i+100 (the spec's batch size), sent as it
//   is read, at most IN_FLIGHT at once; the SDK paces them at the key's quota and retries them.
//   Only counters and failures are kept.
// - Every run has a key (--idempotency-key, else a new one, printed), and chunk i is sent with the
//   key derived from it for chunk i: a run again with the same key and file replays what the API
//   applied, and a changed line changes only its own chunk (README, "Imports").
// - An error that every chunk would get (401, 403, nothing listening) stops the import at once.
// - SIGINT or SIGTERM: no new chunks, the ones in flight settle, the summary, exit 130.

type BatchWithResponse = {
  withResponse(): Promise<{ data: Outcome[]; responses: Array<{ response: Response } | undefined> }>;
};

/** Chunks in flight: enough to use a key's quota while the SDK paces (a batch is one request). */
const IN_FLIGHT = 10;
/** The contract's header on an answer replayed for its Idempotency-Key (openapi/codex.yaml). */
const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The input's stream; a file that cannot be opened fails before anything is sent. */
async function openInput(file: string): Promise<Readable> {
  if (file === '-') return process.stdin;
  try {
    return (await open(file)).createReadStream();
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * The stream's lines, without their line ends (`\n` or `\r\n`). Read as they are consumed: a
 * stream's async iterator reads no further ahead than its buffer (readline's reads the whole file
 * into pending lines when they are consumed more slowly than read).
 */
async function* linesOf(input: Readable): AsyncGenerator<string> {
  input.setEncoding('utf8');
  let rest = '';
  const line = (text: string) => (text.endsWith('\r') ? text.slice(0, -1) : text);
  for await (const part of input as AsyncIterable<string>) {
    const lines = (rest + part).split('\n');
    rest = lines.pop() ?? '';
    for (const text of lines) yield line(text);
  }
  if (rest !== '') yield line(rest);
}

/** The file's lines, counted without keeping them, for the progress bar (unknown for stdin). */
async function countLines(file: string): Promise<number | undefined> {
  if (file === '-') return undefined;
  let count = 0;
  let last = 0x0a;
  for await (const part of (await open(file)).createReadStream()) {
    for (const byte of part as Buffer) if (byte === 0x0a) count++;
    last = (part as Buffer).at(-1) ?? last;
  }
  return last === 0x0a ? count : count + 1;
}

export async function runImport(create: CommandSpec, via: CommandSpec, command: Command): Promise<void> {
  const [file = '-'] = command.args;
  const flags = command.opts<{ idempotencyKey?: string; failed?: string; output?: string }>();
  const given = flags.idempotencyKey;
  if (given !== undefined) checked(command, () => checkIdempotencyKey(given));
  const failedFile = flags.failed ?? defaultFailedFile(file);
  checked(command, () => checkWritable(failedFile, flags.failed !== undefined ? '--failed' : 'the failed-lines file'));
  const batchable = create.batchable as NonNullable<CommandSpec['batchable']>;
  const size = via.batch?.maxOperations ?? 1;
  const started = performance.now();

  let requests = 0;
  // Before reading: missing credentials or a bad base URL fail at once.
  const client = await createClient(command, {
    onRequest: () => {
      requests++;
    },
  });
  const batch = clientMethod(client, via.resource, via.command);
  const input = await openInput(file);
  const key = given ?? `import-${randomUUID()}`;
  if (given === undefined) process.stderr.write(`No --idempotency-key given: resume with --idempotency-key ${key}\n`);
  const progress = await startProgress(`${create.resource} import`, await countLines(file));

  const tally: Tally = { lines: 0, imported: 0, replayed: 0, failures: [], changed: [], unconfirmed: [] };
  const controller = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  let sentThrough = 0;
  let interrupted = false;
  const settle = (chunk: Chunk) => {
    done += chunk.last - chunk.first + 1;
    progress.update(done);
  };
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      `\nStopping: no new requests; waiting for the ${inFlight.size} in flight (again to quit at once).\n`,
    );
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  const send = (chunk: Chunk) => {
    const sent = (async () => {
      try {
        // Chunks are numbered by the input's lines (chunk i: lines 100i+1 to 100i+100), so that a
        // changed line changes its own chunk only; each gets the key documents.batch would give it.
        const options = { idempotencyKey: await chunkIdempotencyKey(key, chunk.index), signal: controller.signal };
        const { data, responses } = await (batch(chunk.operations, options) as BatchWithResponse).withResponse();
        const response = responses[0]?.response;
        tallyChunk(tally, chunk, data, response === undefined, response?.headers.get(REPLAYED_HEADER) === 'true');
      } catch (error) {
        // A rejected batch is a mistake in the call itself, or this import's own abort.
        if (!controller.signal.aborted) tally.fatal ??= error as Error;
      }
      if (tally.fatal) controller.abort();
      settle(chunk);
    })();
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };
  const dispatch = async (chunk: Chunk) => {
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    if (interrupted || tally.fatal) return;
    sentThrough = chunk.last;
    if (chunk.operations.length) send(chunk);
    else {
      tallyChunk(tally, chunk, [], false, false);
      settle(chunk);
    }
  };

  const newChunk = (index: number): Chunk => ({
    index,
    first: index * size + 1,
    last: index * size,
    operations: [],
    lines: [],
    refused: [],
  });
  let chunk = newChunk(0);
  try {
    let line = 0;
    for await (const text of linesOf(input)) {
      line++;
      const index = Math.floor((line - 1) / size);
      if (index !== chunk.index) {
        await dispatch(chunk);
        chunk = newChunk(index);
      }
      if (interrupted || tally.fatal) break;
      chunk.last = line;
      if (text.trim() === '') continue;
      // Each line is checked as `create --data <line>` would be; a line refused stays out of its
      // chunk, the same way on every run.
      try {
        const body = buildCall(create, { args: [], flags: {}, data: text, dataName: 'the line' }).args.at(-1);
        chunk.operations.push({
          op: batchable.op,
          ...(batchable.bodyField ? { [batchable.bodyField]: body } : (body as object)),
        });
        chunk.lines.push({ line, text });
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        chunk.refused.push({ line, text, reason: error.message });
      }
    }
    if (chunk.last >= chunk.first) await dispatch(chunk);
    await Promise.all(inFlight);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  if (tally.fatal) throw tally.fatal;

  tally.failures.sort((a, b) => a.line - b.line);
  const named = flags.failed !== undefined;
  const removed = writeFailed(
    failedFile,
    tally.failures.map((f) => f.text),
    named,
  );
  const summary = {
    lines: tally.lines,
    imported: tally.imported,
    failed: tally.failures.length,
    replayed: tally.replayed,
    changed: tally.changed.reduce((sum, r) => sum + r.count, 0),
    not_confirmed: tally.unconfirmed.reduce((sum, r) => sum + r.count, 0),
    requests,
    seconds: Math.round(performance.now() - started) / 1000,
    failed_file: tally.failures.length ? failedFile : null,
    idempotency_key: key,
    interrupted_after_line: interrupted ? sentThrough : null,
  };
  reportImport(summary, tally, removed);
  // JSON for scripts: when asked for, or when stdout is not a person's terminal.
  if (flags.output !== undefined || !process.stdout.isTTY) writeValue(summary, formatOf(flags.output, false));
  if (interrupted) process.exitCode = 130;
  else if (summary.failed || summary.changed || summary.not_confirmed) process.exitCode = 1;
}
