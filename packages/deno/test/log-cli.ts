// Run by test/run.mjs with CODEX_LOG set, with and without --allow-env for it: lists documents and
// gets a missing one (a 404). Prints nothing itself: whatever appears is the SDK's.
import { Client } from '../mod.ts';

const client = new Client();
await client.documents.list();
const failure = await client.documents.get('doc_missing').catch((e) => e);
if (failure.status !== 404) throw new Error(`expected a 404, got ${failure}`);
