import { $, type IR } from '@hey-api/openapi-ts';
import { deref, isObject, type OperationEntry } from './collect.ts';
import type { OperationTablePlugin } from './types.ts';

export type Plugin = Parameters<OperationTablePlugin['Handler']>[0]['plugin'];
type Json = Record<string, unknown>;
type TypeNode = ReturnType<typeof $.type> | ReturnType<typeof $.type.idx>;
export type PluginSymbol = ReturnType<Plugin['symbol']>;

/**
 * A type as the generated code writes it (`node`) and as a reader sees it (`text`, the same
 * TypeScript), with the generated types it names (`refs`, for api.md's lists of types).
 */
export type Typed = { node: TypeNode; text: string; refs: string[] };

/** One parameter of a resource method. */
export type MethodParam = { name: string; type: Typed; optional: boolean; doc: string };

/** An error status the spec lists for the operation, with the SDK's class for it. */
export type MethodError = { status: string; errorClass: string; description: string };

/** Which hand-written helper of packages/core/src/resources.ts the method calls. */
export type MethodKind = 'call' | 'paginate' | 'batch';

/**
 * Everything known about one method of a generated resource class: what `resources.gen.ts` emits
 * and what `api.md` documents, computed once so the two cannot disagree.
 */
export type ResourceMethod = {
  operation: IR.OperationObject;
  entry: OperationEntry;
  kind: MethodKind;
  params: MethodParam[];
  /** What the method returns: `APIPromise<T>`, `PagePromise<T>` or `BatchPromise<T>`. */
  returns: Typed;
  /** The runtime helper's second argument: `{ path: { id }, query, body }`, from the parameters. */
  input: Array<{ key: 'path' | 'query' | 'body'; from: string[] }>;
  /** `@throws` of the JSDoc, in the spec's order of responses. */
  errors: MethodError[];
  /** A query parameter's name and description, for `query`'s documentation. */
  queryFields: Array<{ name: string; required: boolean; description: string }>;
};

/** A generated resource class (`client.<resource>`) and its methods, in the spec's order. */
export type Resource = { resource: string; className: string; methods: ResourceMethod[] };

/** The SDK's error class for each status (packages/core/src/errors/api-error.ts, makeAPIError). */
export const ERROR_CLASSES: Record<string, string> = {
  '400': 'BadRequestError',
  '401': 'AuthenticationError',
  '403': 'PermissionDeniedError',
  '404': 'NotFoundError',
  '409': 'ConflictError',
  '413': 'PayloadTooLargeError',
  '415': 'UnsupportedMediaTypeError',
  '422': 'UnprocessableEntityError',
  '429': 'RateLimitError',
};

/** The error class the SDK rejects with for an error status (`InternalServerError` for any 5xx). */
export const errorClassOf = (status: string): string =>
  ERROR_CLASSES[status] ?? (status.startsWith('5') ? 'InternalServerError' : 'APIError');

export const OPTIONS_DOC = 'Per-call options: timeout, deadline, retries, abort signal, idempotency key.';

const jsonSchema = (spec: Json, holder: unknown): unknown => {
  const resolved = deref(spec, holder);
  const content = isObject(resolved) && isObject(resolved.content) ? resolved.content['application/json'] : undefined;
  return isObject(content) ? content.schema : undefined;
};
const property = (spec: Json, schema: unknown, name: string): unknown => {
  const resolved = deref(spec, schema);
  return isObject(resolved) && isObject(resolved.properties) ? resolved.properties[name] : undefined;
};
const itemsOf = (spec: Json, schema: unknown): unknown => {
  const resolved = deref(spec, schema);
  return isObject(resolved) ? resolved.items : undefined;
};

/** One line of prose: JSDoc must not be closed early by the spec's text. */
export const clean = (text: string) => text.replaceAll('*/', '*\\/').trim();

export const classNameOf = (resource: string) => resource.charAt(0).toUpperCase() + resource.slice(1);

/** The runtime's types a method signature names, as symbols of `resources.gen.ts`'s imports. */
export type RuntimeTypes = {
  APIPromise: PluginSymbol;
  PagePromise: PluginSymbol;
  BatchPromise: PluginSymbol;
  BatchOptions: PluginSymbol;
  RequestOptions: PluginSymbol;
};

/**
 * The resource classes the client gets: one per `x-codex-resource`, one method per operation that
 * needs a token (the token endpoint is the SDK's own business), with named, typed parameters.
 */
export function describeResources(
  plugin: Plugin,
  spec: Json,
  operations: Array<{ operation: IR.OperationObject; entry: OperationEntry }>,
  runtime: RuntimeTypes,
): Resource[] {
  const named = (symbol: PluginSymbol): Typed => ({ node: $.type(symbol), text: symbol.name, refs: [symbol.name] });
  const plain = (name: string): Typed => ({ node: $.type(name), text: name, refs: [] });
  const index = (base: Typed, key: string): Typed => ({
    node: $.type.idx(base.node, $.type.literal(key)),
    text: `${base.text}['${key}']`,
    refs: base.refs,
  });
  const element = (base: Typed): Typed => ({
    node: $.type.idx(base.node, $.type('number')),
    text: `${base.text}[number]`,
    refs: base.refs,
  });
  const generic = (symbol: PluginSymbol, argument: Typed): Typed => ({
    node: $.type(symbol).generic(argument.node),
    text: `${symbol.name}<${argument.text}>`,
    refs: argument.refs,
  });
  const readonlyArray = (argument: Typed): Typed => ({
    node: $.type('ReadonlyArray').generic(argument.node),
    text: `ReadonlyArray<${argument.text}>`,
    refs: argument.refs,
  });

  const typeOf = (id: string, role: 'data' | 'response'): Typed => {
    const symbol = plugin.querySymbol({ category: 'type', resource: 'operation', resourceId: id, role });
    return symbol ? named(symbol) : plain('unknown');
  };
  /** The generated type of a schema: its own name when it is a `$ref`, else `fallback`. */
  const schemaType = (schema: unknown, fallback: () => Typed): Typed => {
    if (isObject(schema) && typeof schema.$ref === 'string') {
      const symbol = plugin.querySymbol({ category: 'type', resource: 'definition', resourceId: schema.$ref });
      if (symbol) return named(symbol);
    }
    return fallback();
  };

  const byResource = new Map<string, ResourceMethod[]>();
  for (const { operation, entry } of operations) {
    if (!entry.auth) continue;
    const raw = deref(spec, deref(spec, (spec.paths as Json)[entry.path] as Json)?.[operation.method as never]) as Json;
    const responses = isObject(raw.responses) ? raw.responses : {};
    const success = Object.keys(responses).find((status) => status.startsWith('2'));
    const successSchema = success ? jsonSchema(spec, responses[success]) : undefined;
    const response = () => (success && !successSchema ? plain('void') : typeOf(operation.id, 'response'));
    const data = typeOf(operation.id, 'data');
    const bodySchema = jsonSchema(spec, raw.requestBody);
    const query = Object.values(operation.parameters?.query ?? {});
    const queryRequired = query.some((p) => p.required);
    const parameter = (name: string) => {
      const param = Object.values(operation.parameters?.path ?? {}).find((p) => p.name === name);
      return param?.description ? clean(param.description) : `The \`${name}\` path parameter.`;
    };

    const params: MethodParam[] = entry.pathParams.map((name) => ({
      name,
      type: plain('string'),
      optional: false,
      doc: parameter(name),
    }));
    const input: ResourceMethod['input'] = entry.pathParams.length ? [{ key: 'path', from: entry.pathParams }] : [];
    let kind: MethodKind = 'call';
    let returns: Typed;
    let optionsType = named(runtime.RequestOptions);

    if (entry.batch) {
      const { operationsField, resultsField } = entry.batch;
      const item = schemaType(itemsOf(spec, property(spec, bodySchema, operationsField)), () =>
        element(index(index(data, 'body'), operationsField)),
      );
      const documentSchema = property(spec, itemsOf(spec, property(spec, successSchema, resultsField)), 'document');
      const document = schemaType(documentSchema, () => plain('unknown'));
      params.push({
        name: operationsField,
        type: readonlyArray(item),
        optional: false,
        doc: `Any number of operations: sent in requests of at most ${entry.batch.maxOperations}, each with its own Idempotency-Key.`,
      });
      input.push({ key: 'body', from: [operationsField] });
      optionsType = named(runtime.BatchOptions);
      kind = 'batch';
      returns = generic(runtime.BatchPromise, document);
    } else if (entry.pagination) {
      const items = property(spec, successSchema, entry.pagination.itemsField);
      const item = schemaType(itemsOf(spec, items), () =>
        element(index(response(), entry.pagination?.itemsField ?? '')),
      );
      params.push({
        name: 'query',
        type: index(data, 'query'),
        optional: !queryRequired,
        doc: 'Filters and page size; the SDK follows the cursor itself.',
      });
      input.push({ key: 'query', from: ['query'] });
      kind = 'paginate';
      returns = generic(runtime.PagePromise, item);
    } else {
      if (entry.hasBody) {
        const body = schemaType(bodySchema, () => index(data, 'body'));
        params.push({ name: 'body', type: body, optional: false, doc: 'The request body.' });
        input.push({ key: 'body', from: ['body'] });
      } else if (entry.queryParams.length) {
        params.push({ name: 'query', type: index(data, 'query'), optional: !queryRequired, doc: 'Query parameters.' });
        input.push({ key: 'query', from: ['query'] });
      }
      returns = generic(runtime.APIPromise, schemaType(successSchema, response));
    }
    params.push({ name: 'options', type: optionsType, optional: true, doc: OPTIONS_DOC });

    const errors: MethodError[] = [];
    for (const [status, value] of Object.entries(responses)) {
      if (!/^[45]\d\d$/.test(status)) continue;
      const resolved = deref(spec, value);
      const text = isObject(resolved) && typeof resolved.description === 'string' ? resolved.description : '';
      errors.push({ status, errorClass: errorClassOf(status), description: clean(text).split('\n').join(' ') });
    }
    const queryFields = query.map((p) => ({
      name: p.name,
      required: Boolean(p.required),
      description: p.description ? clean(p.description).split('\n').join(' ') : '',
    }));

    const list = byResource.get(entry.resource) ?? [];
    list.push({ operation, entry, kind, params, returns, input, errors, queryFields });
    byResource.set(entry.resource, list);
  }
  return [...byResource].map(([resource, methods]) => ({ resource, className: classNameOf(resource), methods }));
}
