/**
 * How long the server asked to wait, in milliseconds, or undefined when it did not say.
 * Reads `retry-after-ms` (milliseconds), then `Retry-After` as delta-seconds (`12`) or an
 * HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`), as the contract requires. Dates in the past
 * and negative numbers give 0; anything unparseable gives undefined.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Math.max(0, Number(value) * 1000);
  // HTTP-date (RFC 9110 section 5.6.7): IMF-fixdate, or the obsolete RFC 850 and asctime forms.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
