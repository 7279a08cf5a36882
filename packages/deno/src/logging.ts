import { LOG_LEVELS, type Logger, type LogLevel } from '@codex/core';
import { describeValue } from './options.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The logger for `logLevel` / `CODEX_LOG` without a `logger` of the user's: one line per event on
 * stderr, data as JSON. Every level goes through console.error, because Deno's console.debug and
 * console.info write to stdout, which belongs to the program. Same as @codex/node's.
 */
export const stderrLogger: Logger = Object.fromEntries(
  LEVELS.map((level) => [
    level,
    (message: string, data?: Record<string, string>) =>
      console.error(data ? `${message} ${JSON.stringify(data)}` : message),
  ]),
);

let warned = false;

/**
 * The level CODEX_LOG asks for (any case), or undefined when it is unset, empty, or not readable:
 * without --allow-env for it, it is not read at all (no permission error, no prompt), since
 * logging is optional. A value that is not a level is ignored, with one warning per process.
 */
export function logLevelFromEnv(warnTo: Logger): LogLevel | undefined {
  // querySync is missing in Deno Deploy and older Deno: then, no logging from the environment.
  if (Deno.permissions.querySync?.({ name: 'env', variable: 'CODEX_LOG' }).state !== 'granted') return undefined;
  const value = Deno.env.get('CODEX_LOG');
  if (!value) return undefined;
  const level = value.trim().toLowerCase() as LogLevel;
  if (LOG_LEVELS.includes(level)) return level;
  if (!warned) {
    warned = true;
    warnTo.warn?.(`codex: CODEX_LOG=${describeValue(value)} is not one of ${LOG_LEVELS.join(', ')}; ignored.`);
  }
  return undefined;
}
