import { LOG_LEVELS, type Logger, type LogLevel } from '@codex/core';
import { describeValue } from './options';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The logger for `logLevel` / `CODEX_LOG` without a `logger` of the user's: one line per event on
 * stderr, data as JSON. Every level goes through console.error, because Node's console.debug and
 * console.info write to stdout, which belongs to the program (a CLI's output, a pipe).
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
 * The level CODEX_LOG asks for (any case), or undefined when it is unset or empty. A value that is
 * not a level is ignored, with one warning per process through `warnTo`: a typo in an environment
 * variable must not stop the program.
 */
export function logLevelFromEnv(value: string | undefined, warnTo: Logger): LogLevel | undefined {
  if (!value) return undefined;
  const level = value.trim().toLowerCase() as LogLevel;
  if (LOG_LEVELS.includes(level)) return level;
  if (!warned) {
    warned = true;
    warnTo.warn?.(`codex: CODEX_LOG=${describeValue(value)} is not one of ${LOG_LEVELS.join(', ')}; ignored.`);
  }
  return undefined;
}
