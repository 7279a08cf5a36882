// Run by test/run.mjs with CODEX_BASE_URL empty or blank, and --allow-env for it (issue 18,
// item 2): prints the base URL the Client uses, which must be the default.
import { Client } from '../mod.ts';

console.log(new Client().toJSON().baseUrl);
