/** Where the SDK logs when asked to (off by default). `console` fits. */
export type Logger = {
  debug?(message: string, data?: Record<string, string>): void;
  info?(message: string, data?: Record<string, string>): void;
  warn?(message: string, data?: Record<string, string>): void;
  /** A call failed for good (after its retries): one line per call. */
  error?(message: string, data?: Record<string, string>): void;
};

/**
 * How much the SDK logs: `'debug'` (every request, response, retry and wait), `'info'` (retries),
 * `'warn'` (ignored failures of telemetry and stores), `'error'` (failed calls), or `'off'`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** The log levels, most verbose first (`'off'` last). Runtime packages check `CODEX_LOG` against it. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

/** Headers that may be logged; everything else (Authorization above all) is left out. */
const LOGGABLE =
  /^(accept|content-(type|length)|idempotency-key|idempotent-replayed|retry-after(-ms)?|user-agent|x-request-id|x-ratelimit-(limit|remaining|reset))$/i;

/** The allow-listed headers, for a log line. Bodies are never logged (the token request's holds the secret). */
export function logHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (LOGGABLE.test(name)) out[name.toLowerCase()] = value;
  });
  return out;
}

/**
 * A value for a message: short strings quoted, anything else by its type (a long string may be a
 * secret pasted in the wrong place). For runtime packages' option errors.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return value.length <= 32 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  return `a value of type ${typeof value}`;
}

const toStderr = (message: string, data?: Record<string, string>) =>
  console.error(data ? `${message} ${JSON.stringify(data)}` : message);

/**
 * The logger of server runtimes (`@codex/node`, `@codex/deno`) for `logLevel` / `CODEX_LOG`
 * without a `logger` of the user's: one line per event on stderr, data as JSON. Every level goes
 * through console.error, because their console.debug and console.info write to stdout, which
 * belongs to the program (a CLI's output, a pipe).
 */
export const stderrLogger: Logger = { debug: toStderr, info: toStderr, warn: toStderr, error: toStderr };

let warnedOfCodexLog = false;

/**
 * The level a `CODEX_LOG` value asks for (any case), or undefined when it is unset or empty. A
 * value that is not a level is ignored, with one warning per process through `warnTo`: a typo in
 * an environment variable must not stop the program. Runtime packages read the variable.
 */
export function logLevelFromEnv(value: string | undefined, warnTo: Logger): LogLevel | undefined {
  if (!value) return undefined;
  const level = value.trim().toLowerCase() as LogLevel;
  if (LOG_LEVELS.includes(level)) return level;
  if (!warnedOfCodexLog) {
    warnedOfCodexLog = true;
    warnTo.warn?.(`codex: CODEX_LOG=${describeValue(value)} is not one of ${LOG_LEVELS.join(', ')}; ignored.`);
  }
  return undefined;
}
