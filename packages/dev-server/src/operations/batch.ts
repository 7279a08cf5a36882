import { check, explain, schemaOf, validator } from '../schemas';
import type { ErrorDetail } from '../spec';
import { createOne, deleteOne, updateOne } from './documents';
import { fail, type Handler, type Reply } from './types';

// The spec's BatchRequest accepts any item (an item that is not a BatchOperation is an
// `x-codex-wire-only` branch): the request is refused only when its envelope is wrong, and each
// operation is then checked against BatchOperation, so that one bad operation fails alone.

// The spec's discriminator says which schema an operation follows (`op` -> BatchCreateOperation...),
// so errors are reported against that schema rather than every branch of the oneOf.
const mapping = () =>
  (schemaOf('BatchOperation') as { discriminator: { propertyName: string; mapping: Record<string, string> } })
    .discriminator;

function checkOperation(operation: unknown, prefix: string) {
  const { propertyName, mapping: branches } = mapping();
  const tag = (operation as Record<string, unknown> | null)?.[propertyName];
  const ref = typeof tag === 'string' ? branches[tag] : undefined;
  if (!ref || typeof operation !== 'object' || Array.isArray(operation)) {
    const param = `${prefix}.${propertyName}`;
    return {
      status: 400 as const,
      code: 'invalid_request' as const,
      message: `${param} must be one of ${Object.keys(branches).join(', ')}.`,
      param,
    };
  }
  return explain(validator(ref.split('/').at(-1) ?? ''), operation, prefix);
}

/** POST /documents/batch: result i answers operation i; a failed operation does not stop the others. */
export const batchDocuments: Handler = (ctx) => {
  const { body, requestId } = ctx;
  const violation = check('BatchRequest', body);
  if (violation) return fail(violation.status, violation.code, violation.message, requestId, violation.param);
  const operations = (body as { operations: unknown[] }).operations;
  const results = operations.map((operation, index) => {
    const prefix = `operations[${index}]`;
    const invalid = checkOperation(operation, prefix);
    let reply: Reply;
    if (invalid) {
      reply = fail(invalid.status, invalid.code, invalid.message, requestId, invalid.param);
    } else {
      const op = operation as { op: string; id?: string; document?: unknown };
      if (op.op === 'create') reply = createOne(ctx, op.document, `${prefix}.document`);
      else if (op.op === 'update') reply = updateOne(ctx, op.id ?? '', op.document, `${prefix}.document`);
      else if (op.op === 'delete') reply = deleteOne(ctx, op.id ?? '');
      // An op the spec's BatchOperation gained (an operation made batchable) before the dev server
      // handles it: that item alone fails, as any unknown operation would.
      else reply = fail(501, 'not_implemented', `The dev server does not apply batch op "${op.op}" yet.`, requestId);
    }
    if (reply.status >= 400) {
      return { index, status: reply.status, error: (reply.body as { error: ErrorDetail }).error };
    }
    return reply.body === null
      ? { index, status: reply.status }
      : { index, status: reply.status, document: reply.body };
  });
  return { status: 200, body: { results } };
};
