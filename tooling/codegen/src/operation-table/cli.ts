import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BodySpec, CommandSpec, ParamSpec } from '../../../../packages/cli/src/command-table.ts';
import { BANNER } from '../banner.ts';
import { bodyFields, oneLine, paramSpec, resolveSchema } from './cli-schema.ts';
import { deref, isObject, type OperationEntry } from './collect.ts';

type Json = Record<string, unknown>;

/**
 * The CLI's own flags (packages/cli): no parameter or body field may become one of them.
 * `--idempotency-key` replaces the Idempotency-Key header parameter.
 */
export const RESERVED_FLAGS = [
  'output',
  'base-url',
  'data',
  'verbose',
  'help',
  'idempotency-key',
  'all',
  'version',
] as const;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** A flag or argument name: `--limit`, `--next-cursor`. */
const FLAG = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function fail(operationId: string, message: string): never {
  throw new Error(`codex/operation-table: operation ${operationId}: CLI: ${message}`);
}

type RawParam = { name: string; in: string; required: boolean; description?: unknown; schema: unknown };

/** The operation's parameters with the path item's, the operation's winning (OpenAPI 3.1, Operation Object: "parameters"). */
function parametersOf(spec: Json, pathItem: Json, operation: Json): RawParam[] {
  const byKey = new Map<string, RawParam>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const param = deref(spec, item);
      if (!isObject(param) || typeof param.name !== 'string' || typeof param.in !== 'string') continue;
      byKey.set(`${param.in}:${param.name}`, {
        name: param.name,
        in: param.in,
        required: param.required === true,
        description: param.description,
        schema: param.schema,
      });
    }
  }
  return [...byKey.values()];
}

/** The request body: its fields as flags when it is an object of scalars and string maps, else `--data` only. */
function bodyOf(operationId: string, spec: Json, operation: Json): BodySpec | null {
  const body = deref(spec, operation.requestBody);
  if (!isObject(body)) return null;
  const content = isObject(body.content) ? body.content['application/json'] : undefined;
  if (!isObject(content)) fail(operationId, 'the request body has no application/json content; the CLI sends JSON');
  const schema = resolveSchema(spec, content.schema);
  const fields = schema && bodyFields(spec, schema);
  const required = body.required === true;
  if (!schema || !fields) return { required, fields: [], dataOnly: true, additionalProperties: true };
  const minProperties = schema.minProperties;
  return {
    required,
    fields,
    ...(typeof minProperties === 'number' && { minProperties }),
    dataOnly: false,
    additionalProperties: schema.additionalProperties !== false,
  };
}

/** Every argument and flag of the command is a distinct, valid name that the CLI does not reserve. */
function checkFlags(operationId: string, named: Array<{ kind: string; spec: ParamSpec | BodySpec['fields'][number] }>) {
  const seen = new Map<string, string>();
  for (const { kind, spec } of named) {
    const what = `${kind} "${spec.name}"`;
    if (!FLAG.test(spec.flag)) {
      fail(operationId, `${what} maps to "${spec.flag}", which is not a flag name (letters, digits and dashes)`);
    }
    if ((RESERVED_FLAGS as readonly string[]).includes(spec.flag)) {
      fail(
        operationId,
        `${what} maps to --${spec.flag}, which the CLI reserves for itself (${RESERVED_FLAGS.map((f) => `--${f}`).join(', ')})`,
      );
    }
    const other = seen.get(spec.flag);
    if (other) fail(operationId, `${other} and ${what} both map to --${spec.flag}`);
    seen.set(spec.flag, what);
  }
}

function describeCommand(spec: Json, raw: { pathItem: Json; operation: Json }, entry: OperationEntry): CommandSpec {
  const { operationId } = entry;
  const params = parametersOf(spec, raw.pathItem, raw.operation);
  const cookie = params.find((p) => p.in === 'cookie');
  if (cookie) fail(operationId, `cookie parameter "${cookie.name}": the CLI sends no cookies`);

  // Positional arguments, in the order the path names them.
  const pathParams = [...entry.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const param = params.find((p) => p.in === 'path' && p.name === name);
    if (!param) fail(operationId, `the path names {${name}}, which is not a path parameter`);
    const arg = paramSpec(spec, { ...param, required: true });
    if (!arg) {
      fail(
        operationId,
        `path parameter "${name}" is not a scalar (string, integer, number or boolean): it cannot be an argument`,
      );
    }
    return arg;
  });
  // Header parameters are not flags: the only one, Idempotency-Key, is the CLI's --idempotency-key.
  const queryParams = entry.queryParams.map((name) => {
    const param = params.find((p) => p.in === 'query' && p.name === name);
    const flag = param && paramSpec(spec, param);
    if (!flag) {
      fail(
        operationId,
        `query parameter "${name}" is not a scalar (string, integer, number or boolean): it cannot be a flag`,
      );
    }
    return flag;
  });
  const body = bodyOf(operationId, spec, raw.operation);
  checkFlags(operationId, [
    ...pathParams.map((p) => ({ kind: 'path parameter', spec: p })),
    ...queryParams.map((p) => ({ kind: 'query parameter', spec: p })),
    ...(body?.fields ?? []).map((f) => ({ kind: 'body field', spec: f })),
  ]);

  let pagination: CommandSpec['pagination'] = null;
  if (entry.pagination) {
    const { limitParam } = entry.pagination;
    if (limitParam === null)
      fail(operationId, 'x-codex-pagination.limitParam is missing: the CLI pages with it (--all)');
    pagination = { ...entry.pagination, limitParam };
  }
  const summary = typeof raw.operation.summary === 'string' ? raw.operation.summary.trim() : '';
  const description = oneLine(raw.operation.description);
  return {
    operationId,
    resource: entry.resource,
    command: entry.method,
    // The route stands in for a missing summary: `--help` always has a line.
    summary: summary || `${entry.httpMethod} ${entry.path}`,
    ...(description !== undefined && { description }),
    httpMethod: entry.httpMethod,
    path: entry.path,
    pathParams,
    queryParams,
    body,
    auth: entry.auth,
    idempotency: entry.idempotency,
    pagination,
    batch: entry.batch,
    batchable: entry.batchable,
  };
}

/**
 * The CLI's commands: one per operation, in the spec's order (its paths, then each path's methods
 * as written), from the same rows as the operation table plus the parameters' and body's schemas.
 * Fails generation, naming the operation, when one cannot be a command.
 */
export function describeCommands(spec: Json, entries: OperationEntry[]): CommandSpec[] {
  const raw = new Map<string, { pathItem: Json; operation: Json; position: number }>();
  const paths = isObject(spec.paths) ? spec.paths : {};
  for (const item of Object.values(paths)) {
    const pathItem = deref(spec, item);
    if (!isObject(pathItem)) continue;
    for (const method of Object.keys(pathItem).filter((key) => HTTP_METHODS.includes(key))) {
      const operation = deref(spec, pathItem[method]);
      if (isObject(operation) && typeof operation.operationId === 'string') {
        raw.set(operation.operationId, { pathItem, operation, position: raw.size });
      }
    }
  }
  const rows = entries.map((entry) => {
    const found = raw.get(entry.operationId);
    if (!found) fail(entry.operationId, 'not found in the spec by its operationId');
    return { entry, found };
  });
  rows.sort((a, b) => a.found.position - b.found.position);
  return rows.map(({ entry, found }) => describeCommand(spec, found, entry));
}

/** A JSON value as a TypeScript literal, laid out like hey-api's output (4 spaces, single quotes). */
function literal(value: unknown, indent = ''): string {
  const inner = `${indent}    `;
  if (typeof value === 'string') {
    // JSON's escapes are JavaScript's; only the quotes differ.
    return `'${JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
  }
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map((item) => inner + literal(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : literal(k));
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `commands.gen.ts`: the table, typed by the hand-written contract next to it (`command-table.ts`). */
export function renderCommands(commands: CommandSpec[]): string {
  return [
    ...BANNER,
    '',
    "import type { CommandTable } from './command-table';",
    '',
    '/**',
    " * Every operation of the Codex API as a CLI command, `codex <resource> <command>`, in the spec's order.",
    ' * Generated from openapi/codex.yaml; the shape and its meaning are in ./command-table.ts.',
    ' */',
    `export const commands: CommandTable = ${literal(commands)};`,
    '',
  ].join('\n');
}

/** Writes `commands.gen.ts` at `file`. */
export function writeCommands(file: string, spec: Json, entries: OperationEntry[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderCommands(describeCommands(spec, entries)));
}
