import { createRequire } from 'node:module';
import { type OpenTelemetryApi, otelTracer, type Tracer } from '@codex/core';
import { VERSION } from './version';

let loaded: Tracer | null | undefined;

/**
 * OpenTelemetry tracing when the app has `@opentelemetry/api` installed (an optional peer
 * dependency), found at the first call, never at import: without it, nothing is loaded and calls
 * are not traced. Synchronous (require), so that the first call is traced like the others.
 */
export const autoTracer: Tracer = (call) => {
  if (loaded === undefined) {
    try {
      loaded = otelTracer(createRequire(import.meta.url)('@opentelemetry/api') as OpenTelemetryApi, VERSION);
    } catch {
      loaded = null;
    }
  }
  return loaded?.(call);
};
