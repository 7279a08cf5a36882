import { operations } from './generated/codex/operation-table.gen';

/** One row of the generated operation table (tooling/codegen's `codex/operation-table` plugin). */
export type OperationSpec = {
  readonly operationId: string;
  /** Property of the client the method lives on (`documents`). */
  readonly resource: string;
  /** Method name on that resource (`list`). */
  readonly method: string;
  readonly httpMethod: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the base URL, with `{name}` placeholders. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly hasBody: boolean;
  /** Whether a success carries a body (a Document...); false for 204 answers (delete). */
  readonly hasResponseBody: boolean;
  /** Whether the operation needs a bearer token; false only for the token endpoint. */
  readonly auth: boolean;
  /** OAuth scopes the operation requires. */
  readonly scopes: readonly string[];
  /** Whether the operation accepts an `Idempotency-Key` header. */
  readonly idempotency: boolean;
  readonly pagination: {
    readonly cursorParam: string;
    readonly limitParam: string | null;
    readonly itemsField: string;
    readonly nextCursorField: string;
  } | null;
  readonly batch: {
    readonly operationsField: string;
    readonly resultsField: string;
    readonly maxOperations: number;
  } | null;
  /**
   * Auto-batching (`x-codex-batchable`): a single call can be sent as one item of the batch
   * operation `via` (whose row has `batch`), built as `{ op, [idParam]: <that path parameter's
   * value>, [bodyField]: <the call's JSON body> }`; that item's result answers the call.
   * null when the operation cannot be folded into a batch.
   */
  readonly batchable: {
    /** operationId of the batch operation (`batchDocuments`). */
    readonly via: string;
    /** Value of the item's `op` field (`create`). */
    readonly op: string;
    /** Path parameter whose value the item carries under the same name (`id`); null when none. */
    readonly idParam: string | null;
    /** Item field that carries the call's body (`document`); null when the call has no body. */
    readonly bodyField: string | null;
  } | null;
};

export type OperationId = keyof typeof operations;

/** The generated table, checked against {@link OperationSpec} at compile time. */
export const operationTable: { readonly [K in OperationId]: (typeof operations)[K] & OperationSpec } = operations;
