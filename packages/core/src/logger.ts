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
