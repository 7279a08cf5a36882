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
};

export type OperationId = keyof typeof operations;

/** The generated table, checked against {@link OperationSpec} at compile time. */
export const operationTable: { readonly [K in OperationId]: (typeof operations)[K] & OperationSpec } = operations;
