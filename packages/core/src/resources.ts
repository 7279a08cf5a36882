import { type BatchOptions, type BatchOutcome, runBatch } from './batch';
import { type ClientConfig, checkFunction, checkNumber } from './config';
import { CodexError } from './errors';
import type { OperationTypes, operations } from './generated/codex/operation-table.gen';
import type { OperationSpec } from './operations';
import { Page, PagePromise } from './pagination';
import { checkRequestOptions } from './request-options';
import type { RequestOptions, Transport } from './transport';

// The client's resources are derived from the generated operation table, at run time and in the
// types: an operation added to the spec becomes `client.<x-codex-resource>.<x-codex-method>()`
// after `pnpm generate`, with its generated request and response types, and no code here.
//
// Arguments: the path parameters in order, then the body (or, for batch operations, the array of
// operations; or, for operations without a body, the query), then per-call options.

type Table = typeof operations;
type Id = keyof Table;
/** Operations on the client: all but the token endpoint, which the SDK calls itself. */
type PublicId = { [K in Id]: Table[K]['auth'] extends true ? K : never }[Id];
type Data<K extends Id> = OperationTypes[K]['data'];
type Response<K extends Id> = OperationTypes[K]['response'];
type Strings<T> = T extends readonly [unknown, ...infer Rest] ? [string, ...Strings<Rest>] : [];
type PathArgs<K extends Id> = Strings<Table[K]['pathParams']>;
type Body<K extends Id> = Data<K> extends { body: infer B } ? B : never;
type Query<K extends Id> = Data<K> extends { query?: infer Q } ? NonNullable<Q> : never;
type Field<T, F> = F extends keyof T ? T[F] : never;
type Element<T> = T extends ReadonlyArray<infer E> ? E : never;

type BatchOf<K extends Id> = Table[K]['batch'] extends { operationsField: infer O; resultsField: infer R }
  ? { item: Element<Field<Body<K>, O>>; document: NonNullable<Field<Element<Field<Response<K>, R>>, 'document'>> }
  : never;
type ItemOf<K extends Id> = Table[K]['pagination'] extends { itemsField: infer F }
  ? Element<Field<Response<K>, F>>
  : never;

type Args<K extends Id> = Table[K]['batch'] extends object
  ? [...PathArgs<K>, operations: ReadonlyArray<BatchOf<K>['item']>, options?: BatchOptions]
  : Table[K]['hasBody'] extends true
    ? [...PathArgs<K>, body: Body<K>, options?: RequestOptions]
    : Table[K]['queryParams'] extends readonly []
      ? [...PathArgs<K>, options?: RequestOptions]
      : [...PathArgs<K>, query?: Query<K>, options?: RequestOptions];

type Result<K extends Id> = Table[K]['pagination'] extends object
  ? PagePromise<ItemOf<K>>
  : Table[K]['batch'] extends object
    ? Promise<BatchOutcome<BatchOf<K>['document']>[]>
    : Promise<Response<K>>;

/** `client.<resource>.<method>(...)` for every operation of the spec. */
export type Resources = {
  [R in Table[PublicId]['resource']]: {
    [K in PublicId as Table[K]['resource'] extends R ? Table[K]['method'] : never]: (...args: Args<K>) => Result<K>;
  };
};

type Json = Record<string, unknown>;

function method(op: OperationSpec, transport: Transport, config: ClientConfig) {
  const call = callOf(op, transport, config);
  // Mistakes in the arguments reject like every other failure, rather than throw synchronously.
  return (...args: unknown[]) => {
    try {
      return call(...args);
    } catch (error) {
      return op.pagination ? new PagePromise(() => Promise.reject(error)) : Promise.reject(error);
    }
  };
}

function callOf(op: OperationSpec, transport: Transport, config: ClientConfig) {
  return (...args: unknown[]) => {
    // buildUrl checks the values (non-empty strings, no dot segments) when the request is made.
    const path: Record<string, string> = {};
    for (const name of op.pathParams) path[name] = args.shift() as string;
    const first = args.shift();
    const takesBody = op.hasBody;
    const takesQuery = !takesBody && op.queryParams.length > 0;
    const options = ((takesBody || takesQuery ? args.shift() : first) ?? {}) as RequestOptions & BatchOptions;
    const name = `${op.resource}.${op.method}`;
    // Checked before anything is sent (issue 9); the transport checks the rest of each request.
    checkRequestOptions(options);
    if (takesQuery && first !== undefined && (typeof first !== 'object' || first === null || Array.isArray(first)))
      throw new CodexError(`${name}: the query must be an object (or left out).`);

    if (op.batch) {
      if (!Array.isArray(first)) throw new CodexError(`${name} takes an array of operations.`);
      if (options.concurrency !== undefined) checkNumber('concurrency', options.concurrency, true, 1);
      checkFunction('onProgress', options.onProgress);
      return runBatch(op, first, options, config.batchConcurrency, (body, chunkOptions) =>
        transport.request<Json>(op, { path, body }, chunkOptions),
      );
    }
    if (op.pagination) {
      const { cursorParam, itemsField, nextCursorField } = op.pagination;
      const query = { ...(first as Json | undefined) };
      const fetchPage = async (cursor?: string): Promise<Page<unknown>> => {
        const response = await transport.request<Json>(
          op,
          { path, query: cursor === undefined ? query : { ...query, [cursorParam]: cursor } },
          options,
        );
        const next = response[nextCursorField];
        return new Page((response[itemsField] ?? []) as unknown[], typeof next === 'string' ? next : null, fetchPage);
      };
      return new PagePromise(() => fetchPage(query[cursorParam] as string | undefined));
    }
    return transport.request(
      op,
      { path, ...(takesBody ? { body: first } : takesQuery ? { query: first as Json } : {}) },
      options,
    );
  };
}

/** Builds the resource objects from the operation table. */
export function buildResources(
  table: Readonly<Record<string, OperationSpec>>,
  transport: Transport,
  config: ClientConfig,
): Resources {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const op of Object.values(table)) {
    if (!op.auth) continue;
    resources[op.resource] ??= {};
    (resources[op.resource] as Record<string, unknown>)[op.method] = method(op, transport, config);
  }
  return resources as Resources;
}
