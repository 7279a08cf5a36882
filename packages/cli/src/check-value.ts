import type { BodyFieldSpec, ParamSpec } from './command-table';
import { CONTROL_CHARACTERS } from './control-characters';
import { UsageError } from './usage-error';

// A parameter or body field's value, from a flag's text or from `--data`, checked against the
// spec's schema (command-table.ts) before anything is sent. A value the spec refuses is a
// UsageError (exit 2), not a 400 from the API.

type ValueSpec = ParamSpec | BodyFieldSpec;

/** A value as an error message shows it: short, on one line. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const line = String(text).replace(CONTROL_CHARACTERS, ' ');
  return line.length > 40 ? `'${line.slice(0, 37)}...'` : `'${line}'`;
}

/** The text of a scalar flag as its type (`--limit 10` is 10), then checked. `what` names the flag in messages. */
export function parseScalar(spec: ValueSpec, raw: string, what: string): unknown {
  let value: unknown = raw;
  if (spec.type === 'integer') {
    value = /^\s*[-+]?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value)) throw new UsageError(`${what} must be an integer (got ${shown(raw)})`);
  } else if (spec.type === 'number') {
    value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`${what} must be a number (got ${shown(raw)})`);
  } else if (spec.type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`${what} must be true or false (got ${shown(raw)})`);
    value = raw === 'true';
  }
  checkValue(spec, value, what);
  return value;
}

/** `key=value` entries of a map flag (`--metadata team=docs lang=en`) as an object of strings, then checked. */
export function parseMap(spec: ValueSpec, entries: readonly string[], what: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`${what} takes key=value (got ${shown(entry)})`);
    const key = entry.slice(0, at);
    if (Object.hasOwn(map, key)) throw new UsageError(`${what}: ${shown(key)} is given twice`);
    map[key] = entry.slice(at + 1);
  }
  checkValue(spec, map, what);
  return map;
}

/** Code points, as JSON Schema's minLength and maxLength count. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A string's size in UTF-8, as `x-codex-max-bytes` counts it. */
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** Throws a UsageError naming `what` when `value` is not what the spec allows. */
export function checkValue(spec: ValueSpec, value: unknown, what: string): void {
  const fail = (message: string): never => {
    throw new UsageError(`${what} ${message}`);
  };
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') fail('must be a string');
      break;
    case 'integer':
      if (!Number.isSafeInteger(value)) fail('must be an integer');
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a number');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be true or false');
      break;
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be an object of strings');
      const entries = Object.entries(value as object);
      if (entries.some(([, v]) => typeof v !== 'string')) fail('must have string values only');
      const { maxProperties } = spec as BodyFieldSpec;
      if (maxProperties !== undefined && entries.length > maxProperties)
        fail(`takes at most ${maxProperties} entries (got ${entries.length})`);
      return;
    }
  }
  if (spec.enum && !spec.enum.includes(value as string | number))
    fail(`must be one of ${spec.enum.join(', ')} (got ${shown(value)})`);
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) fail(`must be at least ${spec.minimum} (got ${value})`);
    if (spec.maximum !== undefined && value > spec.maximum) fail(`must be at most ${spec.maximum} (got ${value})`);
  }
  if (typeof value === 'string') {
    // A string's UTF-16 length bounds its code points from above: count them only when it matters.
    if (spec.minLength !== undefined && codePoints(value) < spec.minLength)
      fail(spec.minLength === 1 ? 'must not be empty' : `must have at least ${spec.minLength} characters`);
    if (spec.maxLength !== undefined && value.length > spec.maxLength && codePoints(value) > spec.maxLength)
      fail(`must have at most ${spec.maxLength} characters`);
    // A UTF-16 code unit is at most 3 bytes of UTF-8: encode only when it could be over.
    if (spec.maxBytes !== undefined && value.length * 3 > spec.maxBytes && utf8Bytes(value) > spec.maxBytes)
      fail(`must be at most ${spec.maxBytes} bytes of UTF-8 (got ${utf8Bytes(value)})`);
    if (spec.pattern !== undefined && !new RegExp(spec.pattern, 'u').test(value))
      fail(`must match ${spec.pattern} (got ${shown(value)})`);
  }
}
