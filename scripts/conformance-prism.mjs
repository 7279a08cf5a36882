// Prism (@stoplight/prism-cli 5.14.2) as a validating proxy, for scripts/conformance.mjs.
//
// What 5.14.2 does, read from its source (prism-http forwarder, prism-core factory, prism-http-server):
// - Every forwarded response is validated against the spec (status, headers, body, media type);
//   so is every request. Violations are listed in the `sl-violations` response header (JSON) and
//   logged as `Violation: …`. An undocumented status is only a *warning*.
// - With `--errors`, a request violation is not forwarded: Prism answers itself (401 for a
//   security violation, else 422, `application/problem+json`); a response violation of severity
//   error becomes a 500 `…#VIOLATIONS` problem. Warnings never change the response.
// - Without `--errors`, everything is forwarded and answered as the server did; violations are
//   only reported. Requests the spec itself calls invalid (a 415, a missing token, a 400) can only
//   reach the server this way.
// - Malformed JSON with `Content-Type: application/json` makes Prism's body parser hang the
//   request, so such a request cannot be proxied at all.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const PRISM = fileURLToPath(new URL('../node_modules/.bin/prism', import.meta.url));
const READY = /Prism is listening on (http:\/\/\S+)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in Prism's output.
const ANSI = /\u001b\[[0-9;]*m/g;

/** A free TCP port on 127.0.0.1 (the OS picks it; Prism cannot be told to use port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `prism proxy <spec> <upstream>` on a free port of 127.0.0.1 and resolves once it
 * listens: `{ url, log(), stop() }`. `log()` is everything Prism printed (for failure reports).
 */
export async function startPrism({ spec, upstream, errors, timeoutMs = 60_000 }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch({ spec, upstream, errors, port, timeoutMs });
    } catch (error) {
      // Another process may have taken the port between freePort() and Prism's listen().
      if (attempt >= 3 || !/EADDRINUSE/.test(String(error.message))) throw error;
    }
  }
}

function launch({ spec, upstream, errors, port, timeoutMs }) {
  const args = ['proxy', spec, upstream, '--host', '127.0.0.1', '--port', String(port), '--multiprocess=false'];
  if (errors) args.push('--errors');
  const child = spawn(PRISM, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' },
  });
  let output = '';
  const log = () => output.replace(ANSI, '');
  let exited = false;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop().then(() => reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${log()}`)));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const ready = READY.exec(log());
      if (ready) {
        clearTimeout(timer);
        resolve({ url: ready[1], port, log, stop });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${signal ?? code}) before listening:\n${log()}`));
    });
  });
}

/** The violations Prism reported for one exchange, from its `sl-violations` header. */
export function violationsOf(response) {
  const header = response.headers.get('sl-violations');
  if (!header) return [];
  try {
    return JSON.parse(header);
  } catch {
    // Over 8 kB Prism truncates the header ("Too many violations! …"): still a violation.
    return [{ location: ['response'], severity: 'Error', message: header }];
  }
}
