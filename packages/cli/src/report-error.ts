import { CommanderError } from 'commander';

// What an error becomes: an exit status, and for anything but a usage error one line on stderr.
// - 0: commander showed the help or the version it was asked for (`--help`, `codex help`).
// - 2: a usage error. Commander has already printed it with the command's help (an unknown command
//   or flag, a missing argument, a value check of build-call.ts).
// - 1: anything else: the SDK's errors (CodexError and APIError, whose messages never hold the
//   secret or a token), a file that cannot be read. The line names the error code, and the status
//   and request id the API gave; --verbose adds the stack and causes.

/** The exit status for `error`, after printing what the user needs to see. */
export function reportError(error: unknown, verbose: boolean, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    // `codex help` exits 0; `codex` alone shows the same help as a usage error (exit code 1).
    return error.code === 'commander.help' && error.exitCode === 0 ? 0 : 2;
  }
  stderr.write(`error: ${describeError(error)}\n`);
  if (verbose) stderr.write(`${details(error)}\n`);
  return 1;
}

/** One line: `404 not_found: No such document. (request req_…)`, or `<code>: <message>` for the SDK's own errors. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  const { code, status, requestId } = error as { code?: unknown; status?: unknown; requestId?: unknown };
  let line = error.message;
  // An APIError's message is already `<status> <code>: <message> (request <id>)` (core's api-error.ts).
  if (typeof status === 'number' && typeof code === 'string' && !line.startsWith(`${status} ${code}`))
    line = `${status} ${code}: ${line}`;
  // Node's own errors start with their code already (`ENOENT: no such file…`).
  else if (typeof status !== 'number' && typeof code === 'string' && !line.startsWith(code)) line = `${code}: ${line}`;
  if (typeof requestId === 'string' && !line.includes(requestId)) line += ` (request ${requestId})`;
  return oneLine(line);
}

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** The stack, and the chain of causes. */
function details(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    lines.push(depth === 0 ? '' : 'Caused by:', e instanceof Error ? (e.stack ?? e.message) : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.filter(Boolean).join('\n');
}
