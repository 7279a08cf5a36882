import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// Neither commander's package.json nor its LICENSE is exported: both sit next to its index.js.
const commanderDir = dirname(createRequire(import.meta.url).resolve('commander'));
const commanderVersion = JSON.parse(readFileSync(join(commanderDir, 'package.json'), 'utf8')).version;
const commanderLicense = readFileSync(join(commanderDir, 'LICENSE'), 'utf8').trim();

export default defineConfig({
  // src/cli.ts starts with a hashbang: tsup keeps it and makes dist/cli.js executable.
  entry: ['src/cli.ts'],
  // A bin, not a library: ESM only, no declarations.
  format: ['esm'],
  // `codex --help` must start within 1.5x an empty `node` (issue 23). What it does not need
  // (@codex/node, cli-progress, the table printer) is imported by the commands that run, each into
  // its own chunk. commander, which it needs, is bundled in: loaded from node_modules (a CommonJS
  // package imported from ESM) it cost 1.49x an empty node; bundled, 1.2-1.37x (README, "Libraries").
  splitting: true,
  noExternal: ['commander'],
  esbuildPlugins: [
    {
      // commander's MIT notice goes with its bundled copy: a legal comment, kept at the end of the
      // file that holds it.
      name: 'commander-license',
      setup(build) {
        build.onLoad({ filter: /[\\/]commander[\\/]index\.js$/ }, (args) => ({
          contents: `/*! commander ${commanderVersion}\n${commanderLicense}\n*/\n${readFileSync(args.path, 'utf8')}`,
          loader: 'js',
        }));
      },
    },
  ],
  // commander is CommonJS and requires Node's modules (events, child_process...): give the
  // bundle a `require`.
  banner: {
    js: "import { createRequire as __codexCreateRequire } from 'node:module';\nconst require = __codexCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  define: { __CODEX_CLI_VERSION__: JSON.stringify(version) },
});
