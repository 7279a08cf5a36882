import { check, schemaOf } from '../schemas';
import type { DocumentCreate, DocumentUpdate } from '../spec';
import { fail, type Handler, type OperationContext, type Reply } from './types';

const notFound = (id: string, requestId: string) => fail(404, 'not_found', `No document with id ${id}.`, requestId);

/** GET /documents */
export const listDocuments: Handler = ({ state, query, requestId }) => {
  const rawLimit = query.get('limit');
  let limit = schemaOf('PageLimit').default as number;
  if (rawLimit !== null) {
    limit = /^-?\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    const violation = check('PageLimit', limit, 'limit');
    if (violation) {
      const { minimum, maximum } = schemaOf('PageLimit');
      return fail(
        400,
        'invalid_request',
        `limit must be an integer from ${minimum} to ${maximum}.`,
        requestId,
        'limit',
      );
    }
  }
  const cursor = query.get('cursor') ?? undefined;
  if (cursor !== undefined && check('PageCursor', cursor)) {
    return fail(400, 'invalid_request', 'cursor must not be empty.', requestId, 'cursor');
  }
  const page = state.documents.list(limit, cursor);
  if (!page) return fail(400, 'invalid_request', 'cursor is not a cursor this API issued.', requestId, 'cursor');
  return { status: 200, body: page };
};

/** Creates one document from an unvalidated body; shared with batch. */
export function createOne({ state, requestId }: OperationContext, body: unknown, prefix = ''): Reply {
  const violation = check('DocumentCreate', body, prefix);
  if (violation) return fail(violation.status, violation.code, violation.message, requestId, violation.param);
  return { status: 201, body: state.documents.create(body as DocumentCreate) };
}

export function updateOne({ state, requestId }: OperationContext, id: string, body: unknown, prefix = ''): Reply {
  if (!state.documents.get(id)) return notFound(id, requestId);
  const violation = check('DocumentUpdate', body, prefix);
  if (violation) return fail(violation.status, violation.code, violation.message, requestId, violation.param);
  return { status: 200, body: state.documents.update(id, body as DocumentUpdate) };
}

export function deleteOne({ state, requestId }: OperationContext, id: string): Reply {
  return state.documents.delete(id) ? { status: 204, body: null } : notFound(id, requestId);
}

/** POST /documents */
export const createDocument: Handler = (ctx) => createOne(ctx, ctx.body);

/** GET /documents/{id} */
export const getDocument: Handler = ({ state, params, requestId }) => {
  const id = params.id ?? '';
  const document = state.documents.get(id);
  return document ? { status: 200, body: document } : notFound(id, requestId);
};

/** PATCH /documents/{id} */
export const updateDocument: Handler = (ctx) => updateOne(ctx, ctx.params.id ?? '', ctx.body);

/** DELETE /documents/{id} */
export const deleteDocument: Handler = (ctx) => deleteOne(ctx, ctx.params.id ?? '');
