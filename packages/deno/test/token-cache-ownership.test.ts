import { Client, CodexError, fileTokenStore, isCodexError, type StoredToken } from '../mod.ts';

// Issue 18, item 1, as in @codex/node: the file token store used any 0600 file, in any directory.
// A token file or a cache directory of another user's (or a symbolic link to one) was read, and
// its token, a real one of theirs, sent as ours. The store now uses only this user's own directory
// and files (owner checked with Deno.uid(): --allow-sys=uid), writable by no one else; otherwise
// it throws, and the Client keeps the token in memory with one warning. Another user is nobody
// (uid 65534): chown needs root, as tests run in CI containers. Run by test/run.mjs with
// --allow-sys=uid and read/write in `fsRoot` only.

const server = JSON.parse(Deno.args[0] ?? '{}') as {
  url: string;
  origin: string;
  adminSecret: string;
  readWriteKey: string;
  readOnlyKey: string;
  fsRoot: string;
};
const NOBODY = 65534;
const posix = Deno.build.os !== 'windows';
const root = posix && Deno.uid() === 0;
const PLANTED: StoredToken = {
  accessToken: 'cdx_at_planted_by_another_user',
  expiresAt: Date.now() + 3_600_000,
  lifetimeMs: 3_600_000,
};
const REFUSED =
  /^Not using the Codex token cache in \S+: (it|its file \S+) (is owned by|can be written by|is a symbolic link)/;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

let dirs = 0;
/** A new directory in fsRoot, this user's own, 0700. */
async function tempDir(): Promise<string> {
  const dir = `${server.fsRoot}/owner-${++dirs}`;
  await Deno.mkdir(dir, { mode: 0o700 });
  return dir;
}

/**
 * Makes `path` a symbolic link to `target`. With `ln` (run.mjs allows --allow-run=ln): Deno.symlink
 * needs --allow-read and --allow-write for every path, and this process has them for fsRoot only.
 */
async function symlink(target: string, path: string): Promise<void> {
  const { success, stderr } = await new Deno.Command('ln', { args: ['-s', target, path] }).output();
  assert(success, `ln -s ${target} ${path}: ${new TextDecoder().decode(stderr)}`);
}

const names = async (dir: string) => (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

/** get, set and delete of `dir`'s store each fail with the refusal that says `problem`. */
async function assertRefused(dir: string, problem: string) {
  const store = fileTokenStore(dir);
  const token: StoredToken = { accessToken: 'cdx_at_ours', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 };
  for (const [name, call] of [
    ['get', () => store.get('cdx-key')],
    ['set', () => store.set('cdx-key', token)],
    ['delete', () => store.delete('cdx-key')],
  ] as const) {
    const error = await rejection(call());
    assert(isCodexError(error) && error.code === 'token_store_failed', `${name}: expected a refusal, got ${error}`);
    assert(REFUSED.test(error.message) && error.message.includes(problem), `${name}: ${error.message}`);
    assert(!error.message.includes('cdx_at_'), 'no token in the message');
  }
}

Deno.test({
  name: 'refuses a token file owned by another user, even 0600',
  ignore: !root,
  fn: async () => {
    const dir = await tempDir();
    await fileTokenStore(dir).set('cdx-key', PLANTED);
    const [file] = await names(dir);
    await Deno.chown(`${dir}/${file}`, NOBODY, NOBODY);
    const error = await rejection(fileTokenStore(dir).get('cdx-key'));
    assert(error instanceof CodexError && error.code === 'token_store_failed', `expected a refusal, got ${error}`);
    assert(
      error.message ===
        `Not using the Codex token cache in ${dir}: its file ${dir}/${file} is owned by uid ${NOBODY}, not by this user (uid 0). The cache must belong to this user and be writable by no one else (like ~/.ssh), or another user could plant a token there or read yours. Tokens are kept in memory only; fix or remove it, use another directory (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
      error.message,
    );
  },
});

Deno.test({
  name: 'refuses a directory owned by another user, 0777 or 0700, and writes nothing into it',
  ignore: !root,
  fn: async () => {
    for (const mode of [0o777, 0o700]) {
      const dir = await tempDir();
      await fileTokenStore(dir).set('cdx-key', PLANTED);
      await Deno.chmod(dir, mode);
      await Deno.chown(dir, NOBODY, NOBODY);
      const before = await names(dir);
      await assertRefused(dir, `: it is owned by uid ${NOBODY}, not by this user (uid 0).`);
      assert(JSON.stringify(await names(dir)) === JSON.stringify(before), 'nothing written');
    }
  },
});

Deno.test({
  name: 'refuses a directory of its own that its group or others can write',
  ignore: !posix,
  fn: async () => {
    for (const [mode, writers] of [
      [0o770, 'its group (permissions 0770)'],
      [0o703, 'others (permissions 0703)'],
      [0o777, 'its group and others (permissions 0777)'],
    ] as const) {
      const dir = await tempDir();
      await fileTokenStore(dir).set('cdx-key', PLANTED);
      await Deno.chmod(dir, mode);
      await assertRefused(dir, `: it can be written by ${writers}.`);
    }
  },
});

Deno.test({
  name: 'refuses a directory that is a symbolic link, to another user’s directory or even to its own',
  ignore: !posix,
  fn: async () => {
    const base = await tempDir();
    await fileTokenStore(`${base}/elsewhere`).set('cdx-key', PLANTED);
    if (root) await Deno.chown(`${base}/elsewhere`, NOBODY, NOBODY);
    await symlink(`${base}/elsewhere`, `${base}/tokens`);
    await assertRefused(`${base}/tokens`, ': it is a symbolic link.');
    assert((await names(`${base}/elsewhere`)).length === 1, 'nothing written through the link');
    await fileTokenStore(`${base}/own`).set('cdx-key', PLANTED);
    await symlink(`${base}/own`, `${base}/own-link`);
    await assertRefused(`${base}/own-link`, ': it is a symbolic link.');
  },
});

Deno.test({
  name: 'refuses a token file that is a symbolic link, and replaces it with a file of its own',
  ignore: !posix,
  fn: async () => {
    const planted = await tempDir();
    await fileTokenStore(planted).set('cdx-key', PLANTED);
    const [name] = await names(planted);
    const dir = await tempDir();
    await symlink(`${planted}/${name}`, `${dir}/${name}`);
    const error = await rejection(fileTokenStore(dir).get('cdx-key'));
    assert(isCodexError(error) && error.code === 'token_store_failed', `expected a refusal, got ${error}`);
    assert(error.message.includes(`its file ${dir}/${name} is a symbolic link.`), error.message);
    const ours: StoredToken = { accessToken: 'cdx_at_ours', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 };
    await fileTokenStore(dir).set('cdx-key', ours);
    assert(!(await Deno.lstat(`${dir}/${name}`)).isSymlink, 'the link was replaced');
    assert((await fileTokenStore(dir).get('cdx-key'))?.accessToken === 'cdx_at_ours', 'ours is read back');
    assert(
      JSON.parse(await Deno.readTextFile(`${planted}/${name}`)).accessToken === PLANTED.accessToken,
      'theirs kept',
    );
  },
});

Deno.test({
  name: 'uses a cache it creates itself, from the first call: a 0700 directory of its own, 0600 files',
  fn: async () => {
    const dir = `${await tempDir()}/not/there/yet`;
    const store = fileTokenStore(dir);
    assert((await store.get('cdx-key')) === undefined, 'nothing yet');
    await store.delete('cdx-key');
    await store.set('cdx-key', PLANTED);
    const info = await Deno.lstat(dir);
    assert(!posix || (info.uid === Deno.uid() && ((info.mode ?? 0) & 0o777) === 0o700), `mode ${info.mode}`);
    assert((await store.get('cdx-key'))?.accessToken === PLANTED.accessToken, 'read back');
    // A directory of its own that group and others may read (not write) is fine, as for ssh.
    await Deno.chmod(dir, 0o755);
    assert((await store.get('cdx-key'))?.accessToken === PLANTED.accessToken, 'read back from 0755');
  },
});

Deno.test({
  name: 'without --allow-sys=uid the owner cannot be checked: the cache is not used, and the error names the flag',
  ignore: !posix,
  permissions: { sys: false, read: [server.fsRoot], write: [server.fsRoot] },
  fn: async () => {
    const dir = await tempDir();
    const store = fileTokenStore(dir);
    const advice = `Checking that the Codex token cache in ${dir} belongs to this user needs permission: run deno with --allow-sys=uid, or use tokenStore: 'memory'. Tokens are kept in memory only.`;
    for (const call of [
      () => store.get('cdx-key'),
      () => store.set('cdx-key', PLANTED),
      () => store.delete('cdx-key'),
    ]) {
      const error = await rejection(call());
      assert(isCodexError(error) && error.code === 'missing_permission', `expected missing_permission, got ${error}`);
      assert(error.message === advice, error.message);
    }
    assert((await names(dir)).length === 0, 'nothing written');
  },
});

/** The requests the dev server received since `seq`, through its admin API. */
async function requestsSince(
  seq: number,
): Promise<{ seq: number; operationId: string; clientId: string; status: number }[]> {
  const response = await fetch(`${server.origin}/_admin/requests`, {
    headers: { 'X-Admin-Secret': server.adminSecret },
  });
  const { requests } = await response.json();
  return requests.filter((r: { seq: number }) => r.seq > seq);
}

/** Where a Client finds its cache, and what of another user's must stay as it was. */
type Plant = (dir: string, file: string, token: StoredToken) => Promise<{ dir: string; theirs?: string }>;

/** A directory's files and their contents, or a file's content. */
async function snapshot(path: string): Promise<string> {
  if (!(await Deno.lstat(path)).isDirectory) return Deno.readTextFile(path);
  const entries = await Promise.all((await names(path)).map(async (n) => [n, await Deno.readTextFile(`${path}/${n}`)]));
  return JSON.stringify(entries);
}

const cases: [string, boolean, Plant][] = [
  [
    'a 0600 token file owned by another user',
    true,
    async (dir, file, token) => {
      await Deno.writeTextFile(`${dir}/${file}`, JSON.stringify(token), { mode: 0o600 });
      await Deno.chown(`${dir}/${file}`, NOBODY, NOBODY);
      // In a directory of ours: replaced by our token, which is fine.
      return { dir };
    },
  ],
  [
    'a cache directory another user made 0777',
    true,
    async (dir, file, token) => {
      await Deno.writeTextFile(`${dir}/${file}`, JSON.stringify(token), { mode: 0o600 });
      await Deno.chmod(dir, 0o777);
      await Deno.chown(dir, NOBODY, NOBODY);
      return { dir, theirs: dir };
    },
  ],
  [
    'a symbolic link to another user’s directory',
    false,
    async (dir, file, token) => {
      await Deno.mkdir(`${dir}/theirs`, { mode: 0o700 });
      await Deno.writeTextFile(`${dir}/theirs/${file}`, JSON.stringify(token), { mode: 0o600 });
      if (root) await Deno.chown(`${dir}/theirs`, NOBODY, NOBODY);
      await symlink(`${dir}/theirs`, `${dir}/tokens`);
      return { dir: `${dir}/tokens`, theirs: `${dir}/theirs` };
    },
  ],
  [
    'a token file that is a symbolic link to another user’s file',
    false,
    async (dir, file, token) => {
      await Deno.writeTextFile(`${dir}/theirs.json`, JSON.stringify(token), { mode: 0o600 });
      if (root) await Deno.chown(`${dir}/theirs.json`, NOBODY, NOBODY);
      await Deno.mkdir(`${dir}/tokens`, { mode: 0o700 });
      await symlink(`${dir}/theirs.json`, `${dir}/tokens/${file}`);
      return { dir: `${dir}/tokens`, theirs: `${dir}/theirs.json` };
    },
  ],
];

for (const [name, needsRoot, plant] of cases) {
  Deno.test({
    name: `a Client over HTTP, with ${name}: its token is never sent; one warning; the calls go as ours`,
    ignore: !posix || (needsRoot && !root),
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const [victim] = server.readWriteKey.split(':');
      // The file name of the victim's token, from a cache of its own.
      const scratch = await tempDir();
      await new Client({
        apiKey: server.readWriteKey,
        baseUrl: server.url,
        tokenStore: fileTokenStore(scratch),
      }).getAccessToken();
      const [file] = await names(scratch);
      // A real token of another client's (its project): what another user could leave in the cache.
      const stolen = await new Client({ apiKey: server.readOnlyKey, baseUrl: server.url }).getAccessToken();
      const { dir, theirs } = await plant(await tempDir(), file as string, {
        accessToken: stolen.accessToken,
        expiresAt: Date.now() + stolen.expiresIn * 1000,
        lifetimeMs: stolen.expiresIn * 1000,
      });
      const before = theirs && (await snapshot(theirs));
      const since = Math.max(0, ...(await requestsSince(0)).map((r) => r.seq));
      const warnings: string[] = [];
      const client = new Client({
        apiKey: server.readWriteKey,
        baseUrl: server.url,
        tokenStore: fileTokenStore(dir),
        logger: { warn: (message: string) => void warnings.push(message) },
      });
      await client.documents.create({ title: 'mine', content: 'private' });
      await client.documents.list();
      const seen = (await requestsSince(since)).map((r) => `${r.operationId} ${r.clientId} ${r.status}`);
      const expected = [`issueToken ${victim} 200`, `createDocument ${victim} 201`, `listDocuments ${victim} 200`];
      assert(JSON.stringify(seen) === JSON.stringify(expected), JSON.stringify(seen));
      assert(warnings.length === 1, JSON.stringify(warnings));
      const [warning = ''] = warnings;
      assert(
        warning.startsWith('codex: the token store failed (get), ignored: Not using the Codex token cache'),
        warning,
      );
      assert(REFUSED.test(warning.replace('codex: the token store failed (get), ignored: ', '')), warning);
      assert(!/cdx_at_|cdx_sk_/.test(warning), 'no token or secret in the warning');
      // Nothing of ours was written where another user could read it, and nothing of theirs changed.
      assert(!theirs || (await snapshot(theirs)) === before, `${theirs} changed`);
    },
  });
}
