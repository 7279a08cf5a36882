import { operations } from '../spec';
import { issueToken } from './auth';
import { batchDocuments } from './batch';
import { createDocument, deleteDocument, getDocument, listDocuments, updateDocument } from './documents';
import type { Handler } from './types';

type OperationId = keyof typeof operations;

/**
 * The handler of each operation of the spec, by operationId. An operation added to the spec
 * without one here is still routed (auth, rate limit, faults and the request log apply) and
 * answers 501 `not_implemented` (app.ts), so adding an operation compiles before its handler is
 * written; `unimplemented` lists such operations, and the CLI names them at start.
 */
export const handlers: { readonly [K in OperationId]?: Handler } = {
  issueToken,
  listDocuments,
  createDocument,
  getDocument,
  updateDocument,
  deleteDocument,
  batchDocuments,
};

/** The spec's operations that have no handler yet: they answer 501 `not_implemented`. */
export const unimplemented: OperationId[] = (Object.keys(operations) as OperationId[]).filter((id) => !handlers[id]);
