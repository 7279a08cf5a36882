import { $, type IR } from '@hey-api/openapi-ts';
import { deref, isObject, type OperationEntry } from './collect.ts';
import type { OperationTablePlugin } from './types.ts';

type Plugin = Parameters<OperationTablePlugin['Handler']>[0]['plugin'];
type Json = Record<string, unknown>;
type TypeNode = ReturnType<typeof $.type> | ReturnType<typeof $.type.idx>;

/** Where the generated classes find the hand-written runtime, relative to `codex/resources.gen.ts`. */
const RUNTIME = '../..';

/** The SDK's error class for each status (packages/core/src/errors/api-error.ts, makeAPIError). */
const ERROR_CLASSES: Record<string, string> = {
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
const clean = (text: string) => text.replaceAll('*/', '*\\/').trim();

const className = (resource: string) => resource.charAt(0).toUpperCase() + resource.slice(1);

/**
 * Emits `codex/resources.gen.ts`: one class per `x-codex-resource`, one method per operation
 * (the token endpoint aside: the SDK calls it itself), with named, typed parameters and the spec's
 * summary, description and error statuses as JSDoc. Each method is one call to a hand-written
 * helper of packages/core/src/resources.ts with the operation's row of the table.
 */
export function emitResources(
  plugin: Plugin,
  spec: Json,
  operations: Array<{ operation: IR.OperationObject; entry: OperationEntry }>,
): void {
  const file = { getFilePath: () => 'codex/resources' };
  const external = (name: string, module: string, kind?: 'type') =>
    plugin.symbol(name, { external: `${RUNTIME}/${module}`, ...(kind && { kind }) });
  const runtime = {
    APIResource: external('APIResource', 'resources'),
    call: external('call', 'resources'),
    paginate: external('paginate', 'resources'),
    batch: external('batch', 'resources'),
    // The table as the runtime checks it (OperationSpec), under a name no parameter shadows.
    table: external('operationTable', 'operations'),
    APIPromise: external('APIPromise', 'api-promise', 'type'),
    PagePromise: external('PagePromise', 'pagination', 'type'),
    BatchPromise: external('BatchPromise', 'batch', 'type'),
    BatchOptions: external('BatchOptions', 'batch', 'type'),
    RequestOptions: external('RequestOptions', 'types', 'type'),
  };

  const typeOf = (id: string, role: 'data' | 'response'): TypeNode => {
    const symbol = plugin.querySymbol({ category: 'type', resource: 'operation', resourceId: id, role });
    return symbol ? $.type(symbol) : $.type('unknown');
  };
  /** The generated type of a schema: its own name when it is a `$ref`, else `fallback`. */
  const schemaType = (schema: unknown, fallback: () => TypeNode): TypeNode => {
    if (isObject(schema) && typeof schema.$ref === 'string') {
      const symbol = plugin.querySymbol({ category: 'type', resource: 'definition', resourceId: schema.$ref });
      if (symbol) return $.type(symbol);
    }
    return fallback();
  };
  const index = (base: TypeNode, key: string) => $.type.idx(base, $.type.literal(key));

  const byResource = new Map<string, Array<{ operation: IR.OperationObject; entry: OperationEntry }>>();
  for (const item of operations) {
    if (!item.entry.auth) continue;
    const list = byResource.get(item.entry.resource) ?? [];
    list.push(item);
    byResource.set(item.entry.resource, list);
  }

  for (const [resource, items] of byResource) {
    const symbol = plugin.symbol(className(resource), {
      ...file,
      meta: { category: 'utility', resource: 'codex', role: 'resource', resourceId: resource },
    });
    const node = $.class(symbol)
      .export()
      .extends(runtime.APIResource)
      .doc([`\`client.${resource}\`: the ${resource} operations of the Codex API.`]);

    items.forEach(({ operation, entry }, position) => {
      const raw = deref(
        spec,
        deref(spec, (spec.paths as Json)[entry.path] as Json)?.[operation.method as never],
      ) as Json;
      const responses = isObject(raw.responses) ? raw.responses : {};
      const success = Object.keys(responses).find((status) => status.startsWith('2'));
      const successSchema = success ? jsonSchema(spec, responses[success]) : undefined;
      const response = () => (success && !successSchema ? $.type('void') : typeOf(operation.id, 'response'));
      const data = typeOf(operation.id, 'data');
      const bodySchema = jsonSchema(spec, raw.requestBody);
      const queryRequired = Object.values(operation.parameters?.query ?? {}).some((p) => p.required);
      const parameter = (name: string) => {
        const param = Object.values(operation.parameters?.path ?? {}).find((p) => p.name === name);
        return param?.description ? clean(param.description) : `The \`${name}\` path parameter.`;
      };

      const params: Array<{ name: string; type: TypeNode; optional: boolean; doc: string }> = entry.pathParams.map(
        (name) => ({ name, type: $.type('string'), optional: false, doc: parameter(name) }),
      );
      let helper = runtime.call;
      let returns: TypeNode;
      let input = $.object();
      if (entry.pathParams.length) {
        let path = $.object();
        for (const name of entry.pathParams) path = path.prop(name, $(name));
        input = input.prop('path', path);
      }
      let optionsType: TypeNode = $.type(runtime.RequestOptions);
      const optionsDoc = 'Per-call options: timeout, deadline, retries, abort signal, idempotency key.';

      if (entry.batch) {
        const { operationsField, resultsField } = entry.batch;
        const item = schemaType(itemsOf(spec, property(spec, bodySchema, operationsField)), () =>
          $.type.idx(index(index(data, 'body'), operationsField), $.type('number')),
        );
        const documentSchema = property(spec, itemsOf(spec, property(spec, successSchema, resultsField)), 'document');
        const document = schemaType(documentSchema, () => $.type('unknown'));
        params.push({
          name: operationsField,
          type: $.type('ReadonlyArray').generic(item),
          optional: false,
          doc: `Any number of operations: sent in requests of at most ${entry.batch.maxOperations}, each with its own Idempotency-Key.`,
        });
        input = input.prop('body', $(operationsField));
        optionsType = $.type(runtime.BatchOptions);
        helper = runtime.batch;
        returns = $.type(runtime.BatchPromise).generic(document);
      } else if (entry.pagination) {
        const items = property(spec, successSchema, entry.pagination.itemsField);
        const item = schemaType(itemsOf(spec, items), () =>
          $.type.idx(index(response(), entry.pagination?.itemsField ?? ''), $.type('number')),
        );
        params.push({
          name: 'query',
          type: index(data, 'query'),
          optional: !queryRequired,
          doc: 'Filters and page size; the SDK follows the cursor itself.',
        });
        input = input.prop('query', $('query'));
        helper = runtime.paginate;
        returns = $.type(runtime.PagePromise).generic(item);
      } else {
        if (entry.hasBody) {
          const body = schemaType(bodySchema, () => index(data, 'body'));
          params.push({ name: 'body', type: body, optional: false, doc: 'The request body.' });
          input = input.prop('body', $('body'));
        } else if (entry.queryParams.length) {
          params.push({
            name: 'query',
            type: index(data, 'query'),
            optional: !queryRequired,
            doc: 'Query parameters.',
          });
          input = input.prop('query', $('query'));
        }
        returns = $.type(runtime.APIPromise).generic(schemaType(successSchema, response));
      }
      params.push({ name: 'options', type: optionsType, optional: true, doc: optionsDoc });

      const doc: string[] = [];
      if (operation.summary) doc.push(clean(operation.summary));
      if (operation.description) doc.push(...(doc.length ? [''] : []), ...clean(operation.description).split('\n'));
      if (doc.length) doc.push('');
      doc.push(`\`${entry.httpMethod} ${entry.path}\` (operationId \`${entry.operationId}\`).`, '');
      for (const param of params) doc.push(`@param ${param.name} - ${param.doc}`);
      for (const [status, value] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const errorClass = ERROR_CLASSES[status] ?? (status.startsWith('5') ? 'InternalServerError' : 'APIError');
        const resolved = deref(spec, value);
        const text = isObject(resolved) && typeof resolved.description === 'string' ? resolved.description : '';
        doc.push(`@throws {${errorClass}} ${status}${text ? ` — ${clean(text).split('\n').join(' ')}` : ''}`);
      }

      if (position > 0) node.newline();
      node.method(entry.method, (m) => {
        m.doc(doc).returns(returns);
        for (const param of params) m.param(param.name, (p) => p.type(param.type).optional(param.optional));
        m.do($.return($(helper).call($('this'), $(runtime.table).attr(entry.operationId), input, $('options'))));
      });
    });
    plugin.node(node);
  }
}
