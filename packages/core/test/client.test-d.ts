// Type-level tests of the public API (checked by `pnpm typecheck`): the resources derived from
// the generated operation table have the contract's names, arguments and result types.
import { expectTypeOf } from 'vitest';
import type { BatchOutcome, Client, Document, DocumentList, Page, PagePromise, RequestOptions } from '../src/index';

declare const client: Client;

expectTypeOf(client.documents.list).toBeFunction();
expectTypeOf(client.documents.list()).toEqualTypeOf<PagePromise<Document>>();
expectTypeOf(client.documents.list({ limit: 10, cursor: 'c' })).resolves.toEqualTypeOf<Page<Document>>();
expectTypeOf(client.documents.create).parameters.toEqualTypeOf<
  [body: { title: string; content: string; metadata?: { [key: string]: string } }, options?: RequestOptions]
>();
expectTypeOf(client.documents.create({ title: 't', content: 'c' })).resolves.toEqualTypeOf<Document>();
expectTypeOf(client.documents.get('doc_1')).resolves.toEqualTypeOf<Document>();
expectTypeOf(client.documents.update('doc_1', { title: 'x' })).resolves.toEqualTypeOf<Document>();
expectTypeOf(client.documents.delete('doc_1')).resolves.toEqualTypeOf<void>();
expectTypeOf(client.documents.batch([{ op: 'delete', id: 'doc_1' }])).resolves.toEqualTypeOf<
  BatchOutcome<Document>[]
>();

// @ts-expect-error: title is required
client.documents.create({ content: 'c' });
// @ts-expect-error: get takes an ID
client.documents.get();
// @ts-expect-error: unknown batch op
client.documents.batch([{ op: 'explode' }]);
// @ts-expect-error: the token endpoint is not on the client
client.auth;

// A page's items are documents; a list response type is the generated one.
expectTypeOf<DocumentList['data'][number]>().toEqualTypeOf<Document>();
