// pnpm bench on another Node major (issue 22): this file runs in a child process on that Node
// (bench/run.mjs starts it with the binary scripts/with-node.mjs installs), measures per-call cost
// and cold import there against the run's dev server, and prints the results as JSON on stdout.
//   <node 24> bench/lib/on-node.mjs '{"url": …, "key": {…}, "apiKey": "…"}'
import { measureColdImport } from './cold-import.mjs';
import { CLIENTS_NODE_22, measurePerCall } from './per-call.mjs';

const { url, key, apiKey } = JSON.parse(process.argv[2]);
const server = { url, keys: { perCall: key }, apiKey: () => apiKey };
const perCall = await measurePerCall(server, { clients: CLIENTS_NODE_22 });
const coldImport = await measureColdImport();
process.stdout.write(JSON.stringify({ node: process.versions.node, perCall, coldImport }));
process.exit(0);
