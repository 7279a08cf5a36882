import type { operations } from '../spec';
import { issueToken } from './auth';
import { batchDocuments } from './batch';
import { createDocument, deleteDocument, getDocument, listDocuments, updateDocument } from './documents';
import type { Handler } from './types';

/** One handler per operation of the spec; the compiler fails when the spec gains an operation. */
export const handlers: { [K in keyof typeof operations]: Handler } = {
  issueToken,
  listDocuments,
  createDocument,
  getDocument,
  updateDocument,
  deleteDocument,
  batchDocuments,
};
