// A short-lived CLI process: lists documents with tokenCache: 'file' (run twice by test/run.mjs).
import { Client } from '../mod.ts';

const client = new Client({ tokenCache: 'file', logger: { warn: (message) => console.error(`warn: ${message}`) } });
console.log((await client.documents.list()).data.length);
