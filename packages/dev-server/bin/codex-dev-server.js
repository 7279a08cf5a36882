#!/usr/bin/env node
// In the workspace the bin is this launcher, which exists before the first build so that pnpm can
// link it; the published package's bin is dist/cli.js (publishConfig.bin), and bin/ is not packed.
import '../dist/cli.js';
