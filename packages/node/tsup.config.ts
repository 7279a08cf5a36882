import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url in the CommonJS build (credentials.ts's require fallback for Node < 20.16).
  shims: true,
  // The version in the User-Agent is the package's own, fixed at build time.
  define: { __CODEX_SDK_VERSION__: JSON.stringify(version) },
});
