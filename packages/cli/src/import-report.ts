import type { Range, Tally } from './import-tally';

// An import's end, on stderr, for a person: what failed and why (the first few), the counts, and
// what to do next. The same counts go to stdout as JSON for scripts (import.ts).

/** Failures, and ranges of lines, listed on stderr before the summary. */
const LISTED = 10;

export type ImportSummary = {
  lines: number;
  imported: number;
  failed: number;
  replayed: number;
  changed: number;
  not_confirmed: number;
  requests: number;
  seconds: number;
  failed_file: string | null;
  idempotency_key: string;
  interrupted_after_line: number | null;
};

const lines = (r: Range) => (r.first === r.last ? `line ${r.first}` : `lines ${r.first}–${r.last}`);

function listed<T>(items: readonly T[], say: (item: T) => string): string[] {
  const out = items.slice(0, LISTED).map(say);
  if (items.length > LISTED) out.push(`... and ${items.length - LISTED} more`);
  return out;
}

export function reportImport(summary: ImportSummary, tally: Tally, removed: string | null): void {
  const out = listed(tally.failures, (f) => `line ${f.line}: ${f.reason}`);
  out.push(
    ...listed(
      tally.changed,
      (r) =>
        `${lines(r)} changed since the run that used this key: not imported again (the API keeps what that run sent; import the changed lines alone with a new --idempotency-key)`,
    ),
    ...listed(tally.unconfirmed, (r) => `${lines(r)} not confirmed: ${r.reason}`),
  );
  const replayed = summary.replayed ? ` (${summary.replayed} replayed from an earlier run with this key)` : '';
  const more = [
    summary.changed && `${summary.changed} changed since the earlier run`,
    summary.not_confirmed && `${summary.not_confirmed} not confirmed`,
  ].filter(Boolean);
  out.push(
    `imported ${summary.imported} of ${summary.lines} lines${replayed}, ${summary.failed} failed${more.map((m) => `, ${m}`).join('')}, in ${summary.requests} requests, ${summary.seconds.toFixed(1)} s`,
  );
  const resume = `run the same command with --idempotency-key ${summary.idempotency_key}: what the API already applied is replayed, not applied twice`;
  if (summary.interrupted_after_line !== null)
    out.push(`Interrupted after line ${summary.interrupted_after_line}: to finish, ${resume}.`);
  else if (summary.not_confirmed) out.push(`Some requests failed as a whole: to retry them, ${resume}.`);
  if (summary.failed_file)
    out.push(
      `Failed lines are in ${summary.failed_file}: fix them and import that file (with a new --idempotency-key).`,
    );
  if (removed) out.push(removed);
  process.stderr.write(`${out.join('\n')}\n`);
}
