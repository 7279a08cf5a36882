// Type-level tests of the public API (checked by `pnpm typecheck`): the generated resource classes
// have the contract's names, arguments and result types.
import { expectTypeOf } from 'vitest';
import type {
  APIPromise,
  BatchOutcome,
  Client,
  Document,
  DocumentList,
  Documents,
  Page,
  PagePromise,
  RateLimitInfo,
  RequestOptions,
  WithResponse,
} from '../src/index';

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

// Ordinary class members: named parameters, raw responses on every kind of call.
expectTypeOf(client.documents).toEqualTypeOf<Documents>();
expectTypeOf(client.documents.get).parameters.toEqualTypeOf<[id: string, options?: RequestOptions]>();
expectTypeOf(client.documents.get('doc_1')).toEqualTypeOf<APIPromise<Document>>();
expectTypeOf(client.documents.get('doc_1').withResponse()).resolves.toEqualTypeOf<WithResponse<Document>>();
expectTypeOf(client.documents.get('doc_1').asResponse()).resolves.toEqualTypeOf<Response>();
expectTypeOf(client.documents.list().withResponse()).resolves.toEqualTypeOf<WithResponse<Page<Document>>>();
expectTypeOf<Page<Document>['rateLimit']>().toEqualTypeOf<RateLimitInfo>();
expectTypeOf(client.documents.batch([]).withResponse()).resolves.toEqualTypeOf<{
  data: BatchOutcome<Document>[];
  responses: Array<WithResponse<unknown> | undefined>;
}>();

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

// Issue 18, item 6: headers in any form fetch takes, at the Client and per call.
expectTypeOf<{ 'X-Team': string }>().toExtend<NonNullable<RequestOptions['headers']>>();
expectTypeOf<Headers>().toExtend<NonNullable<RequestOptions['headers']>>();
expectTypeOf<Array<[string, string]>>().toExtend<NonNullable<RequestOptions['headers']>>();
