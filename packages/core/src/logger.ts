/** Where the SDK logs when asked to (off by default). `console` fits. */
export type Logger = {
  debug?(message: string, data?: Record<string, string>): void;
  info?(message: string, data?: Record<string, string>): void;
  warn?(message: string, data?: Record<string, string>): void;
};

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
