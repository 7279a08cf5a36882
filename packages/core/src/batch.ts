import type { WithResponse } from './api-promise';
import { isAPIConnectionError, isAPIError, isCodexError } from './errors';
import type { OperationSpec } from './operations';
import { sha256Hex } from './sha256';
import type { RequestOptions } from './types';

/** The result of one operation of a batch, at its position in the input. */
export type BatchOutcome<TDocument = unknown> = {
  /** Position of the operation in the input. */
  index: number;
  /** HTTP status the operation had (201, 200, 204, 4xx...); 0 when its chunk never got an answer. */
  status: number;
  document?: TDocument;
  /**
   * Why the operation failed: the API's error, or, for the operations of a chunk without a usable
   * answer, `connection_error` (no answer), `invalid_response` (an answer the SDK could not read)
   * or `missing_result` (an answer without a result for the operation).
   */
  error?: { code: string; message: string; request_id?: string; param?: string };
  /**
   * When the operation's whole chunk failed (no usable answer, or an error status): the chunk's
   * Idempotency-Key. Send the chunk's operations again with it, and what the API already applied
   * is replayed rather than applied twice.
   */
  idempotencyKey?: string;
};

export type BatchOptions = RequestOptions & {
  /**
   * Makes the whole batch safe to send again: call again with the same key and the same operations,
   * and every chunk the API already applied is replayed, not applied twice.
   * - A batch sent in one request sends the key unchanged.
   * - A longer batch sends chunk `i` (from 0) as `<key> <i>` (a space, then the number), or, for a
   *   key over 200 characters, `<SHA-256 of the key, in hex> <i>`, so that chunk keys stay within
   *   the API's 255 characters. Chunk keys are distinct, the same for the same key and number of
   *   operations, and never a key a call can give: a caller's key has no space (visible ASCII), so
   *   no other call's key replays a chunk.
   * @default a new UUID per chunk, reused by its retries
   */
  idempotencyKey?: string;
  /** Chunks sent at once. @default the client's batchConcurrency (4) */
  concurrency?: number;
  /** Called after each chunk with how many operations have an outcome. */
  onProgress?: (done: number, total: number) => void;
};

/** Sends chunk number `chunk` (from 0, in input order). */
type SendChunk = (
  body: Record<string, unknown>,
  options: RequestOptions,
  chunk: number,
) => Promise<Record<string, unknown>>;

/**
 * Runs any number of batch operations: chunks of at most the spec's limit, `concurrency` chunks at
 * once (each through pacing and retries), each with its own Idempotency-Key. Returns one outcome
 * per operation in input order; a failed operation, or a failed chunk, does not throw.
 * An abort, or a mistake in the call itself (a plain CodexError, such as an invalid option: thrown
 * before anything is sent, and alike for every chunk), rejects the batch and sends no further chunk.
 */
/**
 * The Idempotency-Key that `documents.batch(operations, { idempotencyKey: key })` sends with chunk
 * `index` (from 0) of a batch of several requests: `<key> <index>`, or `<SHA-256 of key, in hex>
 * <index>` for a key over 200 characters. For a tool that sends the chunks of one import itself (a
 * command line resuming by line number) and must send exactly the keys `documents.batch` would.
 */
export async function chunkIdempotencyKey(key: string, index: number): Promise<string> {
  // `:${index}` would make a 254–255-character key invalid (issue 9, item 16). A hash, not a
  // truncation, so that two long keys with a common prefix never share chunk keys. A space: caller
  // keys are visible ASCII (checks.ts), so none is ever a chunk's key (issue 18: `<key>:0` was
  // another call's key too).
  const base =
    key.length > 200
      ? await sha256Hex(key, 'An idempotencyKey over 200 characters in a batch of several requests')
      : key;
  return `${base} ${index}`;
}

export async function runBatch<TOp, TDocument>(
  op: OperationSpec,
  operations: readonly TOp[],
  options: BatchOptions,
  defaultConcurrency: number,
  send: SendChunk,
): Promise<BatchOutcome<TDocument>[]> {
  // Only called for rows with `batch` (resources.ts).
  const { operationsField, resultsField, maxOperations } = op.batch as NonNullable<OperationSpec['batch']>;
  const { concurrency = defaultConcurrency, onProgress, idempotencyKey, ...requestOptions } = options;
  const chunks: Array<{ offset: number; items: readonly TOp[] }> = [];
  for (let offset = 0; offset < operations.length; offset += maxOperations) {
    chunks.push({ offset, items: operations.slice(offset, offset + maxOperations) });
  }
  // One key per chunk, so that chunks are not replays of each other. The caller's key was checked
  // before (resources.ts: 1–255 visible ASCII characters, the contract's Idempotency-Key).
  const derive = chunks.length > 1 && idempotencyKey !== undefined;
  // Every operation gets an outcome, even if the API left one out.
  const outcomes: BatchOutcome<TDocument>[] = operations.map((_, index) => ({
    index,
    status: 0,
    error: { code: 'missing_result', message: 'No result was returned.' },
  }));
  let done = 0;

  const runChunk = async ({ offset, items }: (typeof chunks)[number], chunkIndex: number) => {
    const key = derive ? await chunkIdempotencyKey(idempotencyKey, chunkIndex) : idempotencyKey;
    try {
      const response = await send(
        { [operationsField]: items },
        { ...requestOptions, ...(key !== undefined && { idempotencyKey: key }) },
        chunkIndex,
      );
      const results = response?.[resultsField];
      const seen: unknown[] = [];
      // Only the first result of each index inside this chunk: any other would leave a hole in the
      // outcomes or overwrite another operation's (issue 9, item 17).
      if (Array.isArray(results)) {
        for (const result of results as BatchOutcome<TDocument>[]) {
          const index = result?.index;
          if (typeof index === 'number' && index in items && !seen[index])
            seen[index] = outcomes[offset + index] = { ...result, index: offset + index };
        }
      }
    } catch (error) {
      if (
        isCodexError(error) &&
        (error.name === 'APIUserAbortError' || error.name === 'CodexError' || requestOptions.signal?.aborted)
      ) {
        next = chunks.length; // start no other chunk
        throw error;
      }
      const status = isAPIError(error) ? error.status : 0;
      const failure = isAPIError(error)
        ? { code: error.code, message: error.message, ...(error.requestId && { request_id: error.requestId }) }
        : {
            code: isCodexError(error) && !isAPIConnectionError(error) ? 'invalid_response' : 'connection_error',
            message: error instanceof Error ? error.message : String(error),
          };
      const sent = isCodexError(error) ? error.idempotencyKey : undefined;
      for (let i = 0; i < items.length; i++)
        outcomes[offset + i] = { index: offset + i, status, error: failure, ...(sent && { idempotencyKey: sent }) };
    }
    done += items.length;
    onProgress?.(done, operations.length);
  };

  // A small worker pool: a dependency for ten lines would cost more bundle size than it saves.
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      await runChunk(chunks[index] as (typeof chunks)[number], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), chunks.length) }, worker));
  return outcomes;
}

/** A batch's outcomes with the HTTP response of each of its requests. */
export type BatchWithResponse<TDocument> = {
  data: BatchOutcome<TDocument>[];
  /**
   * One entry per chunk (request), in chunk order: the final attempt's response with the chunk's
   * parsed body as `data`; undefined for a chunk that got no successful answer (its operations'
   * outcomes carry the error and, when there was one, its request id).
   */
  responses: Array<WithResponse<unknown> | undefined>;
};

/**
 * What `batch()` returns: await it for the outcomes, or call `.withResponse()` for the responses
 * of its requests as well. The batch starts at once, awaited or not.
 */
export class BatchPromise<TDocument> implements PromiseLike<BatchOutcome<TDocument>[]> {
  readonly #result: Promise<BatchWithResponse<TDocument>>;

  constructor(result: Promise<BatchWithResponse<TDocument>>) {
    this.#result = result;
  }

  // biome-ignore lint/suspicious/noThenProperty: a BatchPromise is awaitable by design.
  then<A = BatchOutcome<TDocument>[], B = never>(
    onfulfilled?: ((value: BatchOutcome<TDocument>[]) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result.then((result) => result.data).then(onfulfilled, onrejected);
  }

  catch<B = never>(
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<BatchOutcome<TDocument>[] | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<BatchOutcome<TDocument>[]> {
    return this.then().finally(onfinally);
  }

  /** The outcomes and each request's response; rejects like the batch when the batch fails. */
  withResponse(): Promise<BatchWithResponse<TDocument>> {
    return this.#result;
  }

  get [Symbol.toStringTag]() {
    return 'BatchPromise';
  }
}
