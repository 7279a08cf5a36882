// node --test scripts/ (pnpm test:scripts): the packaging gate's view of a dist/ folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { unreachableDistFiles } from './dist-files.mjs';

const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A package folder with these files (path → contents). */
function packageWith(files) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-dist-files-'));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// Shaped like the real builds: tsup's ESM + CJS entries, shared chunks, declaration chunks, maps.
const built = {
  'package.json': JSON.stringify({
    exports: {
      '.': {
        '@codex/source': './src/index.ts',
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './app': { types: './dist/app.d.ts', default: './dist/app.js' },
      './package.json': './package.json',
    },
    main: './dist/index.cjs',
    bin: { tool: './bin/tool.js' },
  }),
  'src/index.ts': "export * from './other';\n",
  'bin/tool.js': "#!/usr/bin/env node\nimport '../dist/cli.js';\n",
  'dist/index.js': 'import{a}from"./chunk-AB12.js";export{a};\n//# sourceMappingURL=index.js.map\n',
  'dist/index.js.map': '{}',
  'dist/index.cjs': 'const a=require("./chunk-CD34.cjs");module.exports=a;\n//# sourceMappingURL=index.cjs.map\n',
  'dist/index.cjs.map': '{}',
  'dist/index.d.ts': "export { a } from './app-XY.js';\n",
  'dist/index.d.cts': '/// <reference path="./globals.d.ts" />\nexport { a } from \'./app-XY\';\n',
  'dist/globals.d.ts': '',
  'dist/app-XY.d.ts': 'export declare const a: 1;\n',
  'dist/app.js': 'export const lazy = () => import("./chunk-EF56.js");\n',
  'dist/app.d.ts': "export * from './app-XY.js';\n",
  'dist/chunk-AB12.js': 'export const a=1;\n//# sourceMappingURL=chunk-AB12.js.map\n',
  'dist/chunk-AB12.js.map': '{}',
  'dist/chunk-CD34.cjs': 'exports.a=1;\n',
  'dist/chunk-EF56.js': 'export default 1;\n',
  'dist/cli.js': 'import{a}from"./chunk-AB12.js";console.log(a);\n',
};

test('every file an entry point reaches counts: imports, require, import(), references, source maps, bin', () => {
  assert.deepEqual(unreachableDistFiles(packageWith(built)), []);
});

test('outputs of a removed entry are leftovers, with their maps and declarations', () => {
  const dir = packageWith({
    ...built,
    // What @codex/core's dist kept after its `generated` entry was removed (tsup without clean).
    'dist/generated.js': 'import ky from"./chunk-OLD.js";export{ky};\n//# sourceMappingURL=generated.js.map\n',
    'dist/generated.js.map': '{}',
    'dist/generated.d.ts': 'export {};\n',
    'dist/chunk-OLD.js': 'export default 0;\n',
    'dist/nested/old.cjs': '',
  });
  assert.deepEqual(unreachableDistFiles(dir), [
    'dist/chunk-OLD.js',
    'dist/generated.d.ts',
    'dist/generated.js',
    'dist/generated.js.map',
    'dist/nested/old.cjs',
  ]);
});

test('a package without dist/ has no leftovers', () => {
  assert.deepEqual(unreachableDistFiles(packageWith({ 'package.json': '{"exports":"./dist/index.js"}' })), []);
});
