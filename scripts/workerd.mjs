// Running code in real workerd (Cloudflare Workers' runtime) from Node, for tests and examples:
// bundled as wrangler bundles a modules Worker (its bundle.ts: esbuild, ESM, es2024, conditions
// workerd/worker/browser, esbuild's default platform, NODE_ENV defined), then served by Miniflare,
// whose npm package ships the workerd binary.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

/** The export conditions wrangler resolves packages with (besides esbuild's `import` and `default`). */
export const WORKER_CONDITIONS = ['workerd', 'worker', 'browser'];

/** Bundles a Worker entry point as wrangler does; throws if anything in it needs a Node built-in. */
export async function bundleWorker(entryPoint) {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'esm',
    target: 'es2024',
    conditions: WORKER_CONDITIONS,
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/**
 * Starts the bundled Worker in workerd with `bindings` (its `env`); call `dispatchFetch` on the
 * result, and `dispose` at the end. No compatibility flags: in particular not nodejs_compat, so
 * nothing in the bundle can lean on Node APIs.
 */
export function startWorker(script, bindings = {}) {
  // cf: false: no attempt to download Request.cf data from the internet.
  return new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01', bindings, cf: false });
}
