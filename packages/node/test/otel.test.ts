import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, NotFoundError } from '../src/index';
import { devServerWith } from './helpers';

const KEY = { clientId: 'cdx_id_otel', clientSecret: 'cdx_sk_otel_secret_value', readOnly: false };
const API_KEY = `${KEY.clientId}:${KEY.clientSecret}`;
const exporter = new InMemorySpanExporter();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('OpenTelemetry (issue 13, item 6), with @opentelemetry/api installed and nothing configured in the SDK', () => {
  it('makes each call a span, child of the active span, with a CLIENT span per attempt', async () => {
    const server = await devServerWith([KEY]);
    const traceparents: (string | null)[] = [];
    const client = new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      // The real fetch, observed: what each request carries.
      fetch: (url, init) => {
        traceparents.push(new Headers(init?.headers).get('traceparent'));
        return fetch(url, init);
      },
    });
    await client.documents.list(); // the token request, and a first call
    exporter.reset();
    traceparents.length = 0;
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503, count: 1 });
    const tracer = trace.getTracer('app');
    const app = await tracer.startActiveSpan('app', async (span: Span) => {
      await client.documents.list();
      span.end();
      return span;
    });

    const [call] = named('listDocuments');
    expect(call).toBeDefined();
    expect(call?.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(call as ReadableSpan)).toBe(app.spanContext().spanId);
    const attempts = named('GET /documents');
    expect(attempts.map((s) => s.attributes['http.response.status_code'])).toEqual([503, 200]);
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(attempt)).toBe(call?.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.full': `${server.url}/documents`,
        'url.template': '/documents',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(server.url).port),
      });
    }
    expect(attempts[0]?.attributes['error.type']).toBe('503');
    expect(attempts[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[1]?.attributes['http.request.resend_count']).toBe(1);
    // The trace context goes to the API with each attempt: the attempt's own span.
    expect(traceparents).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));

    const received = server.admin.requests().filter((r) => r.operationId === 'listDocuments');
    expect(call?.attributes).toMatchObject({
      'codex.operation_id': 'listDocuments',
      'codex.retry_count': 1,
      'http.response.status_code': 200,
      'codex.request_id': received.at(-1)?.requestId,
    });
    expect(attempts[0]?.attributes['codex.request_id']).toBe(received.at(-2)?.requestId);
    expect(call?.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('traces token requests, and never records the secret or a token', async () => {
    const server = await devServerWith([KEY]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url });
    await client.documents.create({ title: 't', content: 'c' });
    const { accessToken } = await client.getAccessToken();
    expect(named('issueToken')).toHaveLength(1);
    expect(named('POST /auth/token')).toHaveLength(1);
    expect(named('createDocument')).toHaveLength(1);
    const recorded = JSON.stringify(spans().map((s) => [s.name, s.attributes, s.status, s.events]));
    expect(recorded).not.toContain(KEY.clientSecret);
    expect(recorded).not.toContain(accessToken);
  });

  it('marks a failed call: error.type is the error class, the status is ERROR', async () => {
    const server = await devServerWith([KEY]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url });
    await expect(client.documents.get('doc_missing')).rejects.toBeInstanceOf(NotFoundError);
    const [call] = named('getDocument');
    expect(call?.status.code).toBe(SpanStatusCode.ERROR);
    expect(call?.attributes['error.type']).toBe('NotFoundError');
    expect(call?.attributes['http.response.status_code']).toBe(404);
    expect(named('GET /documents/{id}')[0]?.attributes['error.type']).toBe('404');
  });

  it('reports the time a call waited in line for pacing (codex.pacing_wait_ms)', async () => {
    const server = await devServerWith([KEY]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url, maxInFlight: 1 });
    await client.getAccessToken();
    exporter.reset();
    // The first call holds the only slot until its 300-ms timeout; the second waits in line.
    server.admin.fault({ operationId: 'listDocuments', type: 'hang', count: 1 });
    const first = client.documents.list({}, { timeout: 300, maxRetries: 0 });
    await Promise.allSettled([first, client.documents.list()]);
    await expect(first).rejects.toThrow(/timed out/);
    const waits = named('listDocuments').map((s) => s.attributes['codex.pacing_wait_ms'] as number);
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(250);
    expect(Math.min(...waits)).toBeLessThan(100);
  });

  it('tracer: false turns it off; a tracer that throws changes nothing', async () => {
    const server = await devServerWith([KEY]);
    await new Client({ apiKey: API_KEY, baseUrl: server.url, tracer: false }).documents.list();
    expect(spans()).toEqual([]);
    const throwing = new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      tracer: () => {
        throw new Error('tracer broke');
      },
    });
    await expect(throwing.documents.list()).resolves.toMatchObject({ data: [] });
  });

  it('loads nothing of OpenTelemetry at import, nor without a call', async () => {
    const script = `import { createRequire } from 'node:module';
      const { Client } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
      new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: 'http://127.0.0.1:9' });
      console.log(Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('opentelemetry')).length);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.trim()).toBe('0');
  });
});
