import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type RunningServer, startServer } from '@codex/dev-server';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const KEY = { clientId: 'cdx_id_guide', clientSecret: 'cdx_sk_guide_secret' };
const HERE = new URL('..', import.meta.url).pathname;
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Runs code in Node's REPL (which has both `require` and top-level await, as the guide's snippet needs). */
function repl(code: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-i'], { cwd: HERE, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.on('error', reject);
    // stdin stays open: at end of input the REPL would exit before the awaited request is done;
    // the code ends the process itself.
    child.stdin.write(`${code}\n`);
  });
}

describe('@codex/sdk', () => {
  it("runs the auth guide's snippet as written, pointed at the dev server", async () => {
    const server = await startServer({ port: 0, keys: [KEY] });
    servers.push(server);
    // Verbatim from the public guide (codex-auth-guide.txt, "SDK Authentication"); only the
    // optional base URL is pointed at the local server.
    const snippet = await readFile(new URL('./fixtures/auth-guide-snippet.js', import.meta.url), 'utf8');
    expect(snippet).toContain("baseUrl: 'https://api.codex.dev/v1'");
    // The REPL starts the next line while a top-level await is pending: wait for `docs` to be set.
    const report = `(async () => { while (docs === undefined) await new Promise((r) => setTimeout(r, 10)); console.log('RESULT', JSON.stringify(docs.data), docs.hasNextPage()); process.exit(0); })()`;
    const code = `${snippet.replace('https://api.codex.dev/v1', server.url)}\n${report}`;
    const output = await repl(code, { ...process.env, CODEX_API_KEY: `${KEY.clientId}:${KEY.clientSecret}` });
    expect(output).toContain('RESULT [] false');
    expect(output).not.toMatch(/Error/);
    expect(server.admin.requests().map((r) => r.operationId)).toEqual(['issueToken', 'listDocuments']);
  });

  it('resolves to the right runtime package for each condition', async () => {
    const resolveWith = async (conditions: string[], how: 'import' | 'require') => {
      const flags = conditions.flatMap((c) => ['--conditions', c]);
      const code =
        how === 'require'
          ? "console.log(require.resolve('@codex/sdk'))"
          : "console.log(import.meta.resolve('@codex/sdk'))";
      const args = how === 'require' ? [...flags, '-e', code] : [...flags, '--input-type=module', '-e', code];
      return (await run(process.execPath, args, { cwd: HERE })).stdout.trim();
    };
    expect(await resolveWith([], 'require')).toMatch(/dist\/node\.cjs$/);
    expect(await resolveWith([], 'import')).toMatch(/dist\/node\.js$/);
    expect(await resolveWith(['browser'], 'import')).toMatch(/dist\/browser\.js$/);
    expect(await resolveWith(['deno'], 'import')).toMatch(/dist\/deno\.js$/);
    const viaRequire = await run(
      process.execPath,
      ['-e', "const s = require('@codex/sdk'); console.log(typeof s.Client, typeof s.fileTokenStore, s.USER_AGENT)"],
      { cwd: HERE },
    );
    expect(viaRequire.stdout).toMatch(/^function function codex-sdk-node\//);
  });
});
