import type { IR } from '@hey-api/openapi-ts';

/** Cursor pagination, from `x-codex-pagination`. */
export type PaginationEntry = {
  cursorParam: string;
  limitParam: string | null;
  itemsField: string;
  nextCursorField: string;
};

/** Batch shape and limit, from `x-codex-batch`. */
export type BatchEntry = {
  operationsField: string;
  resultsField: string;
  maxOperations: number;
};

/**
 * Auto-batching, from `x-codex-batchable`: the single call can be sent as one item
 * `{ "op": op, [idParam]: <that path parameter's value>, [bodyField]: <the call's JSON body> }`
 * of the `via` operation's operations array (that operation has `x-codex-batch`).
 */
export type BatchableEntry = {
  /** operationId of the batch operation the call can be folded into. */
  via: string;
  /** Value of the batch item's `op` field. */
  op: string;
  /** The path parameter whose value the item carries, under the same name; null when there is none. */
  idParam: string | null;
  /** The item field that carries the call's request body; null when the call has no body. */
  bodyField: string | null;
};

/** One row of the generated operation table. Plain JSON: it is printed as a literal. */
export type OperationEntry = {
  operationId: string;
  resource: string;
  method: string;
  httpMethod: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  /** Whether the success response declares a body (a 204 does not): a success without one is invalid. */
  hasResponseBody: boolean;
  auth: boolean;
  scopes: string[];
  idempotency: boolean;
  pagination: PaginationEntry | null;
  batch: BatchEntry | null;
  batchable: BatchableEntry | null;
};

type Json = Record<string, unknown>;

const IDEMPOTENCY_HEADER = 'idempotency-key';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The field of a batch item that names its kind (`{"op": "create", ...}`). */
const OP_FIELD = 'op';
const BATCHABLE_KEYS = ['via', 'op', 'id', 'body'];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(operationId: string, message: string): never {
  throw new Error(`codex/operation-table: operation ${operationId}: ${message}`);
}

/** Follows a local `#/…` $ref in the raw spec; other values are returned as they are. */
export function deref(spec: Json, value: unknown): unknown {
  let current = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
    if (hops > 32 || !current.$ref.startsWith('#/')) return current;
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), spec);
  }
  return current;
}

/** Scopes from the operation's `security`, else the document's; `[]` (no requirement) means no auth. */
function securityOf(raw: Json, spec: Json): { auth: boolean; scopes: string[] } {
  const security = Array.isArray(raw.security) ? raw.security : Array.isArray(spec.security) ? spec.security : [];
  const scopes = new Set<string>();
  for (const requirement of security) {
    if (!isObject(requirement)) continue;
    for (const list of Object.values(requirement)) {
      if (Array.isArray(list)) for (const scope of list) scopes.add(String(scope));
    }
  }
  return { auth: security.length > 0, scopes: [...scopes].sort() };
}

function stringField(operationId: string, ext: string, value: Json, key: string, optional = false): string | null {
  const field = value[key];
  if (field === undefined && optional) return null;
  if (typeof field !== 'string' || field.length === 0) fail(operationId, `${ext}.${key} must be a non-empty string`);
  return field;
}

function collectPagination(operationId: string, value: unknown, queryParams: string[]): PaginationEntry | null {
  if (value === undefined) return null;
  const ext = 'x-codex-pagination';
  if (!isObject(value)) fail(operationId, `${ext} must be an object`);
  const entry: PaginationEntry = {
    cursorParam: stringField(operationId, ext, value, 'cursorParam') as string,
    limitParam: stringField(operationId, ext, value, 'limitParam', true),
    itemsField: stringField(operationId, ext, value, 'itemsField') as string,
    nextCursorField: stringField(operationId, ext, value, 'nextCursorField') as string,
  };
  for (const param of [entry.cursorParam, entry.limitParam]) {
    if (param !== null && !queryParams.includes(param)) {
      fail(operationId, `${ext} names query parameter "${param}", which the operation does not have`);
    }
  }
  return entry;
}

function collectBatch(operationId: string, value: unknown, raw: Json, spec: Json): BatchEntry | null {
  if (value === undefined) return null;
  const ext = 'x-codex-batch';
  if (!isObject(value)) fail(operationId, `${ext} must be an object`);
  const maxOperations = value.maxOperations;
  if (typeof maxOperations !== 'number' || !Number.isInteger(maxOperations) || maxOperations < 1) {
    fail(operationId, `${ext}.maxOperations must be a positive integer`);
  }
  const entry: BatchEntry = {
    operationsField: stringField(operationId, ext, value, 'operationsField') as string,
    resultsField: stringField(operationId, ext, value, 'resultsField') as string,
    maxOperations,
  };
  // The limit is stated twice (schema maxItems for validators, extension for the runtime): keep them equal.
  const schema = jsonSchemaOf(spec, raw.requestBody);
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const operations = deref(spec, properties[entry.operationsField]);
  const maxItems = isObject(operations) ? operations.maxItems : undefined;
  if (maxItems !== maxOperations) {
    fail(
      operationId,
      `${ext}.maxOperations is ${maxOperations} but the body's "${entry.operationsField}" has maxItems ${String(maxItems)}`,
    );
  }
  return entry;
}

/** The JSON schema of a request body or response (its `application/json` content), dereferenced. */
function jsonSchemaOf(spec: Json, bodyOrResponse: unknown): unknown {
  const body = deref(spec, bodyOrResponse);
  const content = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
  return deref(spec, isObject(content) ? content.schema : undefined);
}

/** The raw operation with this operationId, anywhere in the spec's paths. */
function findOperation(spec: Json, operationId: string): Json | undefined {
  const paths = isObject(spec.paths) ? spec.paths : {};
  for (const item of Object.values(paths)) {
    const pathItem = deref(spec, item);
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = deref(spec, pathItem[method]);
      if (isObject(operation) && operation.operationId === operationId) return operation;
    }
  }
  return undefined;
}

/**
 * The kinds of item a batch's operations array accepts: each object schema with an `op` property,
 * found through `$ref`, `oneOf`/`anyOf` (wire-only branches left out) and `allOf` (merged).
 * `ops` lists the `op` values it takes (`const`/`enum`), or is null when `op` is any string.
 */
type BatchItemKind = { ops: string[] | null; properties: Json; required: string[] };

function batchItemKinds(spec: Json, schema: unknown, depth = 0): BatchItemKind[] {
  const node = deref(spec, schema);
  if (!isObject(node) || depth > 16 || node['x-codex-wire-only'] === true) return [];
  const kinds: BatchItemKind[] = [];
  for (const combiner of ['oneOf', 'anyOf'] as const) {
    const branches = node[combiner];
    if (Array.isArray(branches)) for (const branch of branches) kinds.push(...batchItemKinds(spec, branch, depth + 1));
  }
  const parts = [node, ...(Array.isArray(node.allOf) ? node.allOf.map((part) => deref(spec, part)) : [])];
  const properties: Json = {};
  const required: string[] = [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (isObject(part.properties)) Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) required.push(...part.required.map(String));
  }
  const op = deref(spec, properties[OP_FIELD]);
  if (isObject(op)) {
    const ops = typeof op.const === 'string' ? [op.const] : Array.isArray(op.enum) ? op.enum.map(String) : null;
    kinds.push({ ops, properties, required });
  }
  return kinds;
}

function collectBatchable(
  operationId: string,
  value: unknown,
  spec: Json,
  own: { pathParams: string[]; hasBody: boolean; isBatch: boolean },
): BatchableEntry | null {
  if (value === undefined) return null;
  const ext = 'x-codex-batchable';
  if (!isObject(value)) fail(operationId, `${ext} must be an object: { via, op, id?, body? }`);
  const unknown = Object.keys(value).filter((key) => !BATCHABLE_KEYS.includes(key));
  if (unknown.length) {
    fail(
      operationId,
      `${ext} has unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; it takes via, op, id, body`,
    );
  }
  if (own.isBatch) fail(operationId, `${ext}: a batch operation (x-codex-batch) cannot itself be batchable`);
  const entry: BatchableEntry = {
    via: stringField(operationId, ext, value, 'via') as string,
    op: stringField(operationId, ext, value, 'op') as string,
    idParam: stringField(operationId, ext, value, 'id', true),
    bodyField: stringField(operationId, ext, value, 'body', true),
  };

  const target = findOperation(spec, entry.via);
  if (!target) fail(operationId, `${ext}.via names operation "${entry.via}", which the spec does not have`);
  const batch = target['x-codex-batch'];
  if (!isObject(batch) || typeof batch.operationsField !== 'string') {
    fail(operationId, `${ext}.via names ${entry.via}, which is not a batch operation (it has no x-codex-batch)`);
  }

  const params = own.pathParams.length ? own.pathParams.map((p) => `"${p}"`).join(', ') : 'none';
  if (own.pathParams.length > 1) {
    fail(
      operationId,
      `${ext}: the operation has ${own.pathParams.length} path parameters (${params}); a batch item carries one`,
    );
  }
  if (entry.idParam !== null && !own.pathParams.includes(entry.idParam)) {
    fail(
      operationId,
      `${ext}.id names path parameter "${entry.idParam}", which the operation does not have (its path parameters: ${params})`,
    );
  }
  if (entry.idParam === null && own.pathParams.length) {
    fail(operationId, `${ext}.id is missing: the batch item must carry the value of path parameter ${params}`);
  }
  if (entry.bodyField !== null && !own.hasBody) {
    fail(operationId, `${ext}.body is "${entry.bodyField}" but the operation has no request body`);
  }
  if (entry.bodyField === null && own.hasBody) {
    fail(
      operationId,
      `${ext}.body is missing: the operation has a request body, which the batch item must carry in a field`,
    );
  }

  // The batch item: the operations array's `items`, its kinds told apart by `op`.
  const body = jsonSchemaOf(spec, target.requestBody);
  const properties = isObject(body) && isObject(body.properties) ? body.properties : {};
  const items = deref(spec, properties[batch.operationsField]);
  const kinds = batchItemKinds(spec, isObject(items) ? items.items : undefined);
  if (!kinds.length) {
    fail(
      operationId,
      `${ext}.via: the items of ${entry.via}'s "${batch.operationsField}" have no "${OP_FIELD}" property`,
    );
  }
  const known = kinds.flatMap((kind) => kind.ops ?? []);
  const kind = kinds.find((k) => k.ops?.includes(entry.op)) ?? kinds.find((k) => k.ops === null);
  if (!kind) {
    fail(operationId, `${ext}.op "${entry.op}" is not an op of ${entry.via} (its ops: ${known.join(', ')})`);
  }
  // A kind whose `op` is any string says nothing about its fields; a named one must fit the call.
  if (kind.ops !== null) {
    for (const [key, field] of [
      ['id', entry.idParam],
      ['body', entry.bodyField],
    ] as const) {
      if (field !== null && !Object.hasOwn(kind.properties, field)) {
        fail(operationId, `${ext}.${key}: ${entry.via}'s "${entry.op}" item has no "${field}" field`);
      }
    }
    const filled = [OP_FIELD, entry.idParam, entry.bodyField];
    const unfilled = kind.required.filter((field) => !filled.includes(field));
    if (unfilled.length) {
      fail(
        operationId,
        `${ext}: ${entry.via}'s "${entry.op}" item requires ${unfilled.map((f) => `"${f}"`).join(', ')}, which the call does not fill`,
      );
    }
  }
  return entry;
}

/** Whether the operation's success response (its first 2xx) declares content. */
function hasResponseBody(raw: Json, spec: Json): boolean {
  const responses = isObject(raw.responses) ? raw.responses : {};
  const success = Object.keys(responses).find((status) => status.startsWith('2'));
  const response = success === undefined ? undefined : deref(spec, responses[success]);
  return isObject(response) && isObject(response.content) && Object.keys(response.content).length > 0;
}

/**
 * Reads one operation into a table row. `spec` is the raw (bundled) OpenAPI document, for what
 * the IR does not keep: security scopes and the request body's limits.
 */
export function collectOperation(operation: IR.OperationObject, spec: Json): OperationEntry {
  const operationId = operation.operationId ?? operation.id;
  const ext = operation as unknown as Json;
  const paths = isObject(spec.paths) ? spec.paths : {};
  const pathItem = deref(spec, paths[operation.path]);
  const raw = isObject(pathItem) ? deref(spec, pathItem[operation.method]) : undefined;
  if (!isObject(raw)) fail(operationId, `not found at ${operation.method.toUpperCase()} ${operation.path}`);

  const resource = ext['x-codex-resource'];
  const method = ext['x-codex-method'];
  if (typeof resource !== 'string' || !IDENTIFIER.test(resource)) {
    fail(operationId, 'x-codex-resource must be an identifier (the client property, e.g. "documents")');
  }
  if (typeof method !== 'string' || !IDENTIFIER.test(method)) {
    fail(operationId, 'x-codex-method must be an identifier (the method name, e.g. "list")');
  }

  const queryParams = Object.values(operation.parameters?.query ?? {}).map((p) => p.name);
  const headerParams = Object.values(operation.parameters?.header ?? {}).map((p) => p.name.toLowerCase());

  const idempotency = ext['x-codex-idempotency'] ?? false;
  if (typeof idempotency !== 'boolean') fail(operationId, 'x-codex-idempotency must be true or false');
  if (idempotency !== headerParams.includes(IDEMPOTENCY_HEADER)) {
    fail(operationId, 'x-codex-idempotency: true and an Idempotency-Key header parameter go together');
  }

  const pathParams = Object.values(operation.parameters?.path ?? {}).map((p) => p.name);
  const hasBody = operation.body !== undefined;

  return {
    operationId,
    resource,
    method,
    httpMethod: operation.method.toUpperCase(),
    path: operation.path,
    pathParams,
    queryParams,
    hasBody,
    hasResponseBody: hasResponseBody(raw, spec),
    ...securityOf(raw, spec),
    idempotency,
    pagination: collectPagination(operationId, ext['x-codex-pagination'], queryParams),
    batch: collectBatch(operationId, ext['x-codex-batch'], raw, spec),
    batchable: collectBatchable(operationId, ext['x-codex-batchable'], spec, {
      pathParams,
      hasBody,
      isBatch: ext['x-codex-batch'] !== undefined,
    }),
  };
}
