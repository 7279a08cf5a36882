// Run by test/run.mjs with --allow-env for CODEX_CLIENT_ID and CODEX_CLIENT_SECRET only (no CODEX_API_KEY).
import { Client } from '../mod.ts';

console.log((await new Client().documents.list()).data.length);
