#!/usr/bin/env node
// API reports (@microsoft/api-extractor), one per public package, committed in etc/api/.
//   node scripts/api-reports.mjs          check: fail if a report differs from what is committed
//   node scripts/api-reports.mjs --update  rewrite the reports (then commit them)
// Run after `pnpm build`: the reports are made from the published .d.ts files.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Report name: [package folder, entry point]. */
export const API_PACKAGES = {
  core: ['core', 'dist/index.d.ts'],
  node: ['node', 'dist/index.d.ts'],
  browser: ['browser', 'dist/index.d.ts'],
  deno: ['deno', 'dist/mod.d.ts'],
  sdk: ['sdk', 'dist/node.d.ts'],
  'sdk-edge': ['sdk', 'dist/edge.d.ts'],
  redis: ['redis', 'dist/index.d.ts'],
  'dev-server': ['dev-server', 'dist/index.d.ts'],
};
const update = process.argv.includes('--update');
const temp = mkdtempSync(join(tmpdir(), 'codex-api-'));
let failed = false;

for (const [name, [packageFolder, entry]] of Object.entries(API_PACKAGES)) {
  const folder = join(root, 'packages', packageFolder);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: folder,
      mainEntryPointFilePath: join(folder, entry),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            lib: ['ES2022', 'DOM'],
            types: [],
            skipLibCheck: true,
            module: 'esnext',
            moduleResolution: 'bundler',
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: join(root, 'etc', 'api'),
        reportTempFolder: temp,
        reportFileName: `${name}.api.md`,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(folder, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (m) => (m.handled = m.category === 'Extractor'),
  });
  if (!result.succeeded || (!update && result.apiReportChanged)) {
    failed = true;
    console.error(
      `✗ ${name}: its public API differs from etc/api/${name}.api.md. Run \`pnpm api:update\`, review and commit the report (and add a changeset).`,
    );
  } else {
    console.log(`✓ ${name}: etc/api/${name}.api.md ${update && result.apiReportChanged ? 'updated' : 'is current'}`);
  }
}
process.exit(failed ? 1 : 0);
