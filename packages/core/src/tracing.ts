/**
 * What a call reports to a tracer: its start, each HTTP attempt, and its end. `otelTracer` turns
 * it into OpenTelemetry spans (@codex/node does so by itself when `@opentelemetry/api` is
 * installed); any other tracing system can implement it. A tracer never changes a call: what it
 * throws is ignored.
 */
export type Tracer = (call: {
  /** The operation (`listDocuments`). */
  operationId: string;
  method: string;
  /** The path template (`/documents/{id}`). */
  path: string;
}) => CallTrace | undefined;

/** One call (retries included), as a tracer follows it. */
export type CallTrace = {
  /** An HTTP attempt starts; `headers` are the request's (add `traceparent` here). */
  attempt(info: { attempt: number; url: string }, headers: Headers): AttemptTrace | undefined;
  /** The call ends: with its final status, or the error it throws. */
  end(outcome: CallEnd): void;
};

/** One HTTP attempt, as a tracer follows it. */
export type AttemptTrace = { end(outcome: AttemptEnd): void };

export type AttemptEnd = {
  /** The response status, when one came. */
  status?: number | undefined;
  requestId?: string | undefined;
  /** `'timeout'` or `'connection'` when no response came. */
  error?: 'timeout' | 'connection' | undefined;
};

export type CallEnd = {
  status?: number | undefined;
  requestId?: string | undefined;
  /** The error the call throws (its class name becomes `error.type`). */
  error?: unknown;
  /** Retries made (the 401 replay after a token refresh is not one). */
  retries: number;
  /** Time spent waiting for client-side pacing (the rate limit and the in-flight cap), in ms. */
  pacingWaitMs: number;
  /** Folded into a batch request (`batching: 'auto'`): `status` and `requestId` are the batch's. */
  batched?: boolean | undefined;
};

/** `fn`, with what it throws swallowed: a tracer never changes a call. */
const quietly =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      return undefined;
    }
  };

/** A tracer wrapped so that nothing it throws reaches the call. */
export function startTrace(tracer: Tracer | undefined, call: Parameters<Tracer>[0]) {
  // Without a tracer (most calls), nothing is allocated.
  if (!tracer) return undefined;
  const trace = quietly(tracer)(call);
  return (
    trace && {
      attempt: quietly((info: { attempt: number; url: string }, headers: Headers) => {
        const attempt = trace.attempt(info, headers);
        return attempt && { end: quietly((outcome: AttemptEnd) => attempt.end(outcome)) };
      }),
      end: quietly((outcome: CallEnd) => trace.end(outcome)),
    }
  );
}

/** The parts of `@opentelemetry/api` that `otelTracer` uses (any 1.x version). */
export type OpenTelemetryApi = {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: unknown, span: OtelSpan): unknown;
  };
  context: { active(): unknown };
  propagation: { inject(context: unknown, carrier: Record<string, string>): void };
};
type Attributes = Record<string, string | number | boolean>;
type OtelTracer = {
  startSpan(name: string, options: { kind: number; attributes: Attributes }, context: unknown): OtelSpan;
};
type OtelSpan = {
  isRecording(): boolean;
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
};

const INTERNAL = 0;
const CLIENT = 2;
const ERROR = 2;

/** `error.type` of a call's error: its class name (`RateLimitError`), never its message. */
const errorType = (error: unknown) =>
  (typeof error === 'object' && error !== null && (error as { constructor?: { name?: string } }).constructor?.name) ||
  'Error';

/**
 * OpenTelemetry tracing for a Client (`new Client({ tracer: otelTracer(api) })`, where
 * `import * as api from '@opentelemetry/api'`). Each call is a span named after its operation,
 * child of the active span, with a CLIENT span per HTTP attempt named `GET /documents/{id}`. The
 * attributes follow OpenTelemetry's HTTP client conventions (`http.request.method`,
 * `url.full`, `server.address`, `server.port`, `http.response.status_code`,
 * `http.request.resend_count`, `error.type`), plus `codex.request_id`, `codex.retry_count` and
 * `codex.pacing_wait_ms`. Attempts carry the trace context to the API (`traceparent`) through the
 * app's propagator. No token, key or body is recorded.
 */
export function otelTracer(api: OpenTelemetryApi, version?: string): Tracer {
  const tracer = api.trace.getTracer('@codex/sdk', version);
  return ({ operationId, method, path }) => {
    const parent = api.context.active();
    const span = tracer.startSpan(
      operationId,
      { kind: INTERNAL, attributes: { 'codex.operation_id': operationId } },
      parent,
    );
    // No provider registered, or sampled out: nothing more to record, and calls stay cheap.
    if (!span.isRecording()) {
      span.end();
      return undefined;
    }
    const context = api.trace.setSpan(parent, span);
    return {
      attempt({ attempt, url }, headers) {
        const { hostname, port, protocol } = new URL(url);
        const attributes: Attributes = {
          'http.request.method': method,
          'url.full': url,
          'url.template': path,
          'server.address': hostname.replace(/^\[|\]$/g, ''),
          'server.port': Number(port) || (protocol === 'https:' ? 443 : 80),
        };
        if (attempt > 1) attributes['http.request.resend_count'] = attempt - 1;
        const child = tracer.startSpan(`${method} ${path}`, { kind: CLIENT, attributes }, context);
        const carrier: Record<string, string> = {};
        api.propagation.inject(api.trace.setSpan(context, child), carrier);
        for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
        return {
          end({ status, requestId, error }) {
            child.setAttributes({
              ...(status !== undefined && { 'http.response.status_code': status }),
              ...(requestId && { 'codex.request_id': requestId }),
            });
            if (error || (status ?? 0) >= 400) {
              child.setAttributes({ 'error.type': error ?? String(status) });
              child.setStatus({ code: ERROR });
            }
            child.end();
          },
        };
      },
      end({ status, requestId, error, retries, pacingWaitMs, batched }) {
        span.setAttributes({
          'codex.retry_count': retries,
          'codex.pacing_wait_ms': pacingWaitMs,
          ...(batched && { 'codex.batched': true }),
          ...(status !== undefined && { 'http.response.status_code': status }),
          ...(requestId && { 'codex.request_id': requestId }),
        });
        if (error !== undefined) {
          span.setAttributes({ 'error.type': errorType(error) });
          span.setStatus({ code: ERROR, message: errorType(error) });
        }
        span.end();
      },
    };
  };
}
