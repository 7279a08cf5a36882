import { APIUserAbortError, makeAPIError } from './errors';
import type { OperationSpec } from './operations';
import { invalidResponse } from './response';

// Auto-batching (issue 20): single creates, updates and deletes that would wait for a pacing slot
// are folded into one request of their batch operation (the spec's `x-codex-batchable`), which
// counts as one request against the rate limit. Hand-written: no library folds calls by pacing,
// and the batch's outcomes are mapped as `documents.batch` maps them (batch.ts), per call.

/** One single call folded into a batch: its batch operation, and how it ends. */
export type Folded = {
  /** The batch operation (`{ op: 'update', id, document }`). */
  operation: Record<string, unknown>;
  /** The document it concerns (its path id), if any: a batch holds one operation per id. */
  id: unknown;
  /** The single operation, whose success body (or none) the result gives. */
  op: OperationSpec;
  /** Its batch was sent. */
  sent(): void;
  resolve(value: unknown, response: Response): void;
  reject(error: unknown): void;
};

/** A batch request being put together, then in flight until its answer is handed out. */
export type Pending = {
  items: Folded[];
  /** Set once its pacing slot came: the operations it sends are fixed. */
  sealed: boolean;
  /** Aborts the batch request, when every call left it before it was sealed. */
  controller: AbortController;
  /** Batches that hold an operation on one of its ids: it is sent after they end (order per id). */
  after: Promise<unknown>;
  done: Promise<unknown>;
  end(): void;
};

/** Which batches of one batch operation are open, and which are in flight. */
export class Folder {
  readonly #batches = new Map<string, Pending[]>();

  #list(via: OperationSpec): Pending[] {
    const list = this.#batches.get(via.operationId) ?? [];
    this.#batches.set(via.operationId, list);
    return list;
  }

  /**
   * Whether a call must join a batch without asking pacing: a batch still waits for its slot (the
   * quota is used up), or one not yet answered holds an operation on `id` (a call on it follows).
   */
  joins(via: OperationSpec, id: unknown): boolean {
    return this.#list(via).some(
      (batch) => !batch.sealed || (id !== undefined && batch.items.some((item) => item.id === id)),
    );
  }

  /**
   * Puts `item` in the first open batch with room and no operation on its id; else in a new one,
   * which `launch` sends. Returns how the call leaves: true when it left before its batch was
   * sealed (then nothing of it is sent).
   */
  add(via: OperationSpec, item: Folded, launch: (batch: Pending) => void): () => boolean {
    const list = this.#list(via);
    const max = via.batch?.maxOperations ?? 1;
    const onItsId = (batch: Pending) => item.id !== undefined && batch.items.some((other) => other.id === item.id);
    let batch = list.find((open) => !open.sealed && open.items.length < max && !onItsId(open));
    if (!batch) {
      let end = () => {};
      const done = new Promise<void>((resolve) => (end = resolve));
      batch = {
        items: [],
        sealed: false,
        controller: new AbortController(),
        after: Promise.all(list.filter(onItsId).map((earlier) => earlier.done)),
        done,
        end: () => {
          list.splice(list.indexOf(batch as Pending), 1);
          end();
        },
      };
      list.push(batch);
      launch(batch);
    }
    const pending = batch;
    pending.items.push(item);
    return () => {
      if (pending.sealed) return false;
      pending.items.splice(pending.items.indexOf(item), 1);
      if (!pending.items.length) {
        // Closed: no call joins a batch that is not to be sent.
        pending.sealed = true;
        pending.controller.abort(new APIUserAbortError());
      }
      return true;
    };
  }
}

/** Seals `batch`: the operations it sends, fixed now. */
export function seal(batch: Pending): Array<Record<string, unknown>> {
  if (!batch.items.length) throw new APIUserAbortError();
  batch.sealed = true;
  for (const item of batch.items) item.sent();
  return batch.items.map((item) => item.operation);
}

/**
 * Hands out a batch's answer: each call settles as its single request would have, with the
 * result at its index: a success's document (or nothing, for an operation without a body), or
 * the error class, status and code of a single call's failure, with the batch's request id.
 */
export function handOut(via: OperationSpec, batch: Pending, data: Record<string, unknown>, response: Response): void {
  const results = data[via.batch?.resultsField ?? ''];
  for (const [index, item] of batch.items.entries()) {
    const result = (Array.isArray(results) ? results : []).find((r) => r?.index === index) as
      | { status?: unknown; document?: unknown; error?: { code?: unknown; message?: unknown } }
      | undefined;
    const status = result?.status;
    const document = result?.document;
    const error = result?.error;
    const noDocument = typeof document !== 'object' || document === null;
    if (typeof status !== 'number' || (status < 300 && item.op.hasResponseBody && noDocument))
      item.reject(invalidResponse(via, response, `no result for operation ${index}`));
    else if (status < 300) item.resolve(item.op.hasResponseBody ? document : undefined, response);
    else
      item.reject(
        makeAPIError(
          status,
          typeof error?.code === 'string' && typeof error.message === 'string'
            ? (error as { code: string; message: string })
            : { code: `http_${status}`, message: 'Request failed.' },
          response.headers,
        ),
      );
  }
}
