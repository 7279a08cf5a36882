import { isAPIError, isCodexError } from './errors';
import type { OperationSpec } from './operations';
import type { RequestOptions } from './transport';

/** The result of one operation of a batch, at its position in the input. */
export type BatchOutcome<TDocument = unknown> = {
  /** Position of the operation in the input. */
  index: number;
  /** HTTP status the operation had (201, 200, 204, 4xx...); 0 when its chunk never got an answer. */
  status: number;
  document?: TDocument;
  error?: { code: string; message: string; request_id?: string; param?: string };
};

export type BatchOptions = RequestOptions & {
  /** Chunks sent at once. @default the client's batchConcurrency (4) */
  concurrency?: number;
  /** Called after each chunk with how many operations have an outcome. */
  onProgress?: (done: number, total: number) => void;
};

type SendChunk = (body: Record<string, unknown>, options: RequestOptions) => Promise<Record<string, unknown>>;

/**
 * Runs any number of batch operations: chunks of at most the spec's limit, `concurrency` chunks at
 * once (each through pacing and retries), each with its own Idempotency-Key. Returns one outcome
 * per operation in input order; a failed operation, or a failed chunk, does not throw.
 */
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
  // Every operation gets an outcome, even if the API left one out.
  const outcomes: BatchOutcome<TDocument>[] = operations.map((_, index) => ({
    index,
    status: 0,
    error: { code: 'missing_result', message: 'No result was returned.' },
  }));
  let done = 0;

  const runChunk = async ({ offset, items }: (typeof chunks)[number], chunkIndex: number) => {
    // A caller's key becomes one key per chunk, so that chunks are not replays of each other.
    const key = idempotencyKey === undefined ? {} : { idempotencyKey: `${idempotencyKey}:${chunkIndex}` };
    try {
      const response = await send({ [operationsField]: items }, { ...requestOptions, ...key });
      const results = (response[resultsField] ?? []) as BatchOutcome<TDocument>[];
      for (const result of results) outcomes[offset + result.index] = { ...result, index: offset + result.index };
    } catch (error) {
      if (isCodexError(error) && (error.name === 'APIUserAbortError' || requestOptions.signal?.aborted)) throw error;
      const status = isAPIError(error) ? error.status : 0;
      const failure = isAPIError(error)
        ? { code: error.code, message: error.message, ...(error.requestId && { request_id: error.requestId }) }
        : { code: 'connection_error', message: error instanceof Error ? error.message : String(error) };
      for (let i = 0; i < items.length; i++) outcomes[offset + i] = { index: offset + i, status, error: failure };
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
