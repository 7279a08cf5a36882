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
};

type Json = Record<string, unknown>;

const IDEMPOTENCY_HEADER = 'idempotency-key';
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
  const body = deref(spec, raw.requestBody);
  const content = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
  const schema = deref(spec, isObject(content) ? content.schema : undefined);
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

  return {
    operationId,
    resource,
    method,
    httpMethod: operation.method.toUpperCase(),
    path: operation.path,
    pathParams: Object.values(operation.parameters?.path ?? {}).map((p) => p.name),
    queryParams,
    hasBody: operation.body !== undefined,
    hasResponseBody: hasResponseBody(raw, spec),
    ...securityOf(raw, spec),
    idempotency,
    pagination: collectPagination(operationId, ext['x-codex-pagination'], queryParams),
    batch: collectBatch(operationId, ext['x-codex-batch'], raw, spec),
  };
}
