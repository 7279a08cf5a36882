import { checkValue, parseMap, parseScalar, shown } from './check-value';
import type { BodySpec, CommandSpec } from './command-table';
import { UsageError } from './usage-error';

/** What the command line gave a generated command, as commander parsed it. */
export type CallInput = {
  /** Positional arguments: the path parameters, in the path's order. */
  readonly args: readonly string[];
  /**
   * Flag values by flag name (without `--`): a string, a string[] for a map flag, `true` for a
   * switch; undefined when not given.
   */
  readonly flags: Readonly<Record<string, unknown>>;
  /** `--data`'s text (stdin's, already read, for `--data -`). */
  readonly data?: string | undefined;
  /** What messages call `data`. @default '--data' */
  readonly dataName?: string;
  /** `--idempotency-key`, for an operation that takes one. */
  readonly idempotencyKey?: string | undefined;
};

/** A client method call: `client[resource][command](...args, options)`. */
export type Call = {
  /** The arguments before the options, in the generated method's order. */
  readonly args: unknown[];
  readonly options: { idempotencyKey?: string };
};

/**
 * The client call a command line makes, every value checked against the spec first: a UsageError
 * for anything the spec refuses, so that nothing is sent.
 *
 * The arguments follow the generated methods (tooling/codegen/src/operation-table/methods.ts):
 * path parameters, then the operations of a batch, the query of a paginated list, the body, or
 * else the query; then the request options.
 */
export function buildCall(spec: CommandSpec, input: CallInput): Call {
  // Checked as their type, passed as text: the generated methods take path parameters as strings.
  const args: unknown[] = spec.pathParams.map((param, i) => {
    const value = input.args[i] ?? '';
    parseScalar(param, value, `<${param.flag}>`);
    return value;
  });
  const query: Record<string, unknown> = {};
  for (const param of spec.queryParams) {
    const raw = input.flags[param.flag];
    if (raw === undefined) {
      if (param.required) throw new UsageError(`--${param.flag} is required`);
      continue;
    }
    query[param.name] = parseScalar(param, String(raw), `--${param.flag}`);
  }
  const body = spec.body ? bodyOf(spec.body, input) : undefined;
  if (spec.batch) args.push(operationsOf(spec.batch.operationsField, body));
  else if (spec.pagination) args.push(query);
  else if (spec.body) args.push(body);
  else if (spec.queryParams.length) args.push(query);
  return { args, options: optionsOf(spec, input) };
}

/** The request body from `--data` and the field flags; flags win over `--data`'s fields. */
function bodyOf(spec: BodySpec, input: CallInput): unknown {
  const source = input.dataName ?? '--data';
  let data: unknown;
  if (input.data !== undefined) {
    try {
      data = JSON.parse(input.data);
    } catch (error) {
      throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
    }
  }
  if (spec.dataOnly) {
    if (data === undefined && spec.required) throw new UsageError(`${source} is required: the request body, as JSON`);
    return data;
  }
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data)))
    throw new UsageError(`${source} must be a JSON object (got ${shown(input.data)})`);
  const body: Record<string, unknown> = { ...(data as object | undefined) };
  if (!spec.additionalProperties) {
    const unknown = Object.keys(body).filter((name) => !spec.fields.some((f) => f.name === name));
    if (unknown.length)
      throw new UsageError(
        `${source} has ${unknown.map((name) => shown(name)).join(', ')}: not a field (the fields are ${spec.fields.map((f) => f.name).join(', ')})`,
      );
  }
  for (const field of spec.fields) {
    const raw = input.flags[field.flag];
    const what = `--${field.flag}`;
    if (raw !== undefined) {
      body[field.name] =
        field.type === 'map' ? parseMap(field, raw as string[], what) : parseScalar(field, String(raw), what);
    } else if (body[field.name] !== undefined) {
      checkValue(field, body[field.name], `"${field.name}" in ${source}`);
    }
  }
  const missing = spec.fields.filter((f) => f.required && body[f.name] === undefined);
  if (missing.length) {
    throw new UsageError(
      data === undefined
        ? `missing ${missing.map((f) => `--${f.flag}`).join(', ')} (or the whole body as ${source})`
        : `${source} has no ${missing.map((f) => `"${f.name}"`).join(', ')}`,
    );
  }
  const given = Object.keys(body).length;
  if (spec.minProperties !== undefined && given < spec.minProperties) {
    const flags = spec.fields.map((f) => `--${f.flag}`).join(', ');
    throw new UsageError(
      `give at least ${spec.minProperties === 1 ? 'one' : spec.minProperties} of ${flags} (or ${source})`,
    );
  }
  return !spec.required && given === 0 && data === undefined ? undefined : body;
}

/** A batch's operations: `--data '{"operations": [...]}'`, the request body, or the array alone. */
function operationsOf(field: string, body: unknown): unknown[] {
  const operations = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)[field]
      : undefined;
  if (!Array.isArray(operations))
    throw new UsageError(`--data must be {"${field}": [...]} (the request body) or the array of operations`);
  if (operations.length === 0) throw new UsageError(`--data has no ${field}`);
  return operations;
}

function optionsOf(spec: CommandSpec, input: CallInput): Call['options'] {
  const key = spec.idempotency ? input.idempotencyKey : undefined;
  if (key === undefined) return {};
  checkIdempotencyKey(key);
  return { idempotencyKey: key };
}

/** The contract's Idempotency-Key: 1–255 characters; the SDK also wants visible ASCII (a header value). */
export function checkIdempotencyKey(key: string): void {
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new UsageError('--idempotency-key must be 1 to 255 visible ASCII characters, without spaces');
}
