/**
 * @codex/sdk: the Codex API SDK for any runtime, under one package name. Its conditional exports
 * pick the implementation:
 *
 * | where | `import { Client } from '@codex/sdk'` is |
 * | --- | --- |
 * | Node.js and Bun (`node`, `require`) | {@link @codex/node! | @codex/node} |
 * | browser bundles (`browser`) | {@link @codex/browser! | @codex/browser} |
 * | Deno (`deno`) | {@link @codex/deno! | @codex/deno} |
 * | Cloudflare Workers, Vercel Edge (`workerd`, `worker`, `edge-light`) | the edge build: {@link Client} below |
 *
 * ```sh
 * npm install @codex/sdk
 * ```
 *
 * ```js
 * import { Client } from '@codex/sdk';
 *
 * const client = new Client({ apiKey: process.env.CODEX_API_KEY });
 * for await (const doc of client.documents.list()) console.log(doc.title);
 * ```
 *
 * Each build also exports everything in {@link @codex/core! | @codex/core}. Listed below: what only the edge
 * build adds.
 *
 * @module @codex/sdk
 */
// The reference site's entry point for @codex/sdk (typedoc.json): the edge build is the only
// implementation of its own; the other conditions resolve to packages documented on their own pages.
export * from '../../packages/sdk/src/edge';
