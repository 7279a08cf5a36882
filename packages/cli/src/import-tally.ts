// What an import learns from each chunk's answer (a pure decision, import.ts applies it), and the
// key each chunk is sent with.

/** A batch outcome, as @codex/node returns it (packages/core/src/batch.ts). */
export type Outcome = {
  index: number;
  status: number;
  error?: { code: string; message: string; param?: string; request_id?: string };
};
/** A line that was not imported and can be fixed and imported again: its number (from 1), its text, why. */
export type Failure = { line: number; text: string; reason: string };
/** Lines `first`–`last` of the input, and what happened to them. */
export type Range = { first: number; last: number; count: number; reason: string };

export type Tally = {
  /** Non-blank lines of the chunks sent (or refused locally). */
  lines: number;
  imported: number;
  replayed: number;
  failures: Failure[];
  /** Chunks the API refused as changed since the run that used their key (422 idempotency_key_reused). */
  changed: Range[];
  /** Chunks whose request failed as a whole: maybe applied, maybe not; a run with the same key settles it. */
  unconfirmed: Range[];
  /** An error every chunk would get (401, 403, nothing listening): the import stops. */
  fatal?: Error;
};

/** A chunk of the input: lines `first`–`last`, and the operations of its lines that passed the checks. */
export type Chunk = {
  index: number;
  first: number;
  last: number;
  operations: unknown[];
  lines: Array<{ line: number; text: string }>;
  /** Lines refused before sending (not JSON, a field the spec refuses). */
  refused: Failure[];
};

/** `<status> <code> (<param>): <message>`, each part once (an APIError's message already starts with them). */
export function describeOutcome(status: number, error: NonNullable<Outcome['error']>): string {
  const { code, message, param } = error;
  const prefix = `${status ? `${status} ` : ''}${code}`;
  const said = message.startsWith(prefix) ? message.slice(prefix.length).replace(/^:\s*/, '') : message;
  return `${prefix}${param ? ` (${param})` : ''}: ${said}`;
}

/** Connection errors that every chunk would get: nothing listening, no such host. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

/**
 * Adds one chunk's answer to the tally. `whole`: the request failed as a whole (no answer to read),
 * and every outcome carries that one error.
 */
export function tallyChunk(
  tally: Tally,
  chunk: Chunk,
  outcomes: readonly Outcome[],
  whole: boolean,
  replayed: boolean,
) {
  tally.lines += chunk.lines.length + chunk.refused.length;
  tally.failures.push(...chunk.refused);
  const error = outcomes[0]?.error;
  if (whole && error) {
    const status = outcomes[0]?.status ?? 0;
    const range = {
      first: chunk.first,
      last: chunk.last,
      count: chunk.lines.length,
      reason: describeOutcome(status, error),
    };
    if (status === 401 || status === 403 || (status === 0 && UNREACHABLE.test(error.message))) {
      tally.fatal ??= Object.assign(new Error(range.reason), {
        ...(status && { status }),
        code: error.code,
        ...(error.request_id && { requestId: error.request_id }),
      });
    } else if (status === 422 && error.code === 'idempotency_key_reused') tally.changed.push(range);
    else if (status === 0 || status === 408 || status === 429 || status >= 500) tally.unconfirmed.push(range);
    // Any other refusal of the whole request (a 400): the lines are what the API refused; fixable.
    else tally.failures.push(...chunk.lines.map(({ line, text }) => ({ line, text, reason: range.reason })));
    return;
  }
  for (const outcome of outcomes) {
    const line = chunk.lines[outcome.index];
    if (!line) continue;
    if (!outcome.error) {
      tally.imported++;
      if (replayed) tally.replayed++;
    } else tally.failures.push({ ...line, reason: describeOutcome(outcome.status, outcome.error) });
  }
}
