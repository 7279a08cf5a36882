import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/app.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/app.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
