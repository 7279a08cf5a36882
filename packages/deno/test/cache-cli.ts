// A short-lived CLI process: lists documents with tokenStore: 'file' (run twice by test/run.mjs).
import { Client } from '../mod.ts';

const client = new Client({ tokenStore: 'file', logger: { warn: (message) => console.error(`warn: ${message}`) } });
console.log((await client.documents.list()).data.length);
