import { APIPromise, describeResponse, type WithResponse } from './api-promise';
import { type BatchOptions, type BatchOutcome, BatchPromise, runBatch } from './batch';
import { checkFunction, checkNumber, checkRequestOptions } from './checks';
import type { ClientConfig } from './config';
import { CodexError } from './errors';
import type { OperationSpec } from './operations';
import { Page, PagePromise } from './pagination';
import type { RequestInput } from './request';
import type { Transport } from './transport';
import type { RequestOptions } from './types';

// The helpers behind the generated resource classes (generated/codex/resources.gen.ts): each
// generated method is one call to `call`, `paginate` or `batch` with its row of the operation
// table and its arguments, named and typed. What a call does, whatever the operation, is here.

type Json = Record<string, unknown>;
/** A generated method's arguments: `query` is undefined when the caller left it out. */
type CallInput = { path?: Record<string, string>; query?: Json | undefined; body?: unknown };

/** What a resource needs of its client. @internal */
export type ResourceContext = { readonly transport: Transport; readonly config: ClientConfig };

// Kept off the resource objects, so that inspecting or serializing a client shows no internals.
const contexts = new WeakMap<APIResource, ResourceContext>();

/** Base of the generated resource classes (`client.documents` is a `Documents`). */
export abstract class APIResource {
  /** @internal */
  constructor(context: ResourceContext) {
    contexts.set(this, context);
  }
}

const contextOf = (resource: APIResource) => contexts.get(resource) as ResourceContext;

/**
 * Checks what the caller passed before anything is sent (issue 9); the transport checks the rest
 * of each request (path parameters included, when it builds the URL).
 */
function checkCall(op: OperationSpec, input: CallInput, options: RequestOptions): RequestInput {
  checkRequestOptions(options, op.batch !== null);
  const { query, ...rest } = input;
  if (query === undefined) return rest;
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new CodexError(`${op.resource}.${op.method}: the query must be an object (or left out).`);
  return { ...rest, query };
}

/** One request: the data, with `.withResponse()` and `.asResponse()`. Mistakes reject, never throw. */
export function call<T>(
  resource: APIResource,
  op: OperationSpec,
  input: CallInput,
  options: RequestOptions = {},
): APIPromise<T> {
  const { transport } = contextOf(resource);
  return new APIPromise<T>(async (onResponse) =>
    transport.request<T>(op, checkCall(op, input, options), options, { onResponse }),
  );
}

/** A cursor-paginated list: nothing is sent until the result is awaited or iterated. */
export function paginate<T>(
  resource: APIResource,
  op: OperationSpec,
  input: CallInput,
  options: RequestOptions = {},
): PagePromise<T> {
  const { transport } = contextOf(resource);
  let checked: RequestInput;
  try {
    checked = checkCall(op, input, options);
  } catch (error) {
    return new PagePromise(() => Promise.reject(error));
  }
  // Only called for rows with `pagination` (the generator's choice).
  const { cursorParam, itemsField, nextCursorField } = op.pagination as NonNullable<OperationSpec['pagination']>;
  const query: Json = { ...checked.query };
  const fetchPage = async (cursor?: string): Promise<Page<T>> => {
    let response: Response | undefined;
    const body = await transport.request<Json>(
      op,
      { ...checked, query: cursor === undefined ? query : { ...query, [cursorParam]: cursor } },
      options,
      { onResponse: (r) => (response = r) },
    );
    const next = body[nextCursorField];
    return new Page(
      (body[itemsField] ?? []) as T[],
      typeof next === 'string' ? next : null,
      fetchPage,
      response as Response,
    );
  };
  return new PagePromise(() => fetchPage(query[cursorParam] as string | undefined));
}

/** Any number of batch operations, in chunks of the spec's limit; one outcome per operation. */
export function batch<TDocument>(
  resource: APIResource,
  op: OperationSpec,
  input: CallInput & { body: readonly unknown[] },
  options: BatchOptions = {},
): BatchPromise<TDocument> {
  const { transport, config } = contextOf(resource);
  const responses: Array<WithResponse<unknown> | undefined> = [];
  const outcomes = (async (): Promise<BatchOutcome<TDocument>[]> => {
    const { body: operations, ...rest } = input;
    const checked = checkCall(op, rest, options);
    if (!Array.isArray(operations)) throw new CodexError(`${op.resource}.${op.method} takes an array of operations.`);
    if (options.concurrency !== undefined) checkNumber('concurrency', options.concurrency, true, 1);
    checkFunction('onProgress', options.onProgress);
    const chunks = Math.ceil(operations.length / (op.batch?.maxOperations ?? 1));
    responses.length = chunks;
    return runBatch<unknown, TDocument>(
      op,
      operations,
      options,
      config.batchConcurrency,
      async (body, chunkOptions, chunk) => {
        let response: Response | undefined;
        // A chunk's key is derived from the caller's checked one, in a form no caller key has
        // (batch.ts): it goes out as it is.
        const { idempotencyKey, ...rest } = chunkOptions;
        const data = await transport.request<Json>(op, { ...checked, body }, rest, {
          onResponse: (r) => (response = r),
          ...(idempotencyKey !== undefined && { idempotencyKey }),
        });
        responses[chunk] = describeResponse(data, response as Response);
        return data;
      },
    );
  })();
  return new BatchPromise(outcomes.then((data) => ({ data, responses })));
}
