import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, fileTokenStore, isCodexError, type StoredToken } from '../src/index';
import { devServerWith } from './helpers';

// Issue 18, item 1: the file token store used any 0600 file, in any directory. A token file or a
// CODEX_CACHE_DIR of another user's (or a symbolic link to one) was read, and its token, a real
// one of theirs, sent as ours: our writes went to their project. Like OpenSSH with ~/.ssh, the
// store now uses only this user's own directory and files, writable by no one else; otherwise it
// throws token_store_failed, and the Client keeps the token in memory with one warning.
// Another user is nobody (uid 65534): chown needs root, as tests run in CI containers.

const VICTIM = { clientId: 'cdx_id_victim', clientSecret: 'cdx_sk_victim_secret', readOnly: false };
const ATTACKER = { clientId: 'cdx_id_attacker', clientSecret: 'cdx_sk_attacker_secret', readOnly: false };
const NOBODY = 65534;
const posix = process.platform !== 'win32';
const root = process.getuid?.() === 0;
const uid = process.geteuid?.() ?? -1;

const PLANTED: StoredToken = {
  accessToken: 'cdx_at_planted_by_another_user',
  expiresAt: Date.now() + 3_600_000,
  lifetimeMs: 3_600_000,
};
const REFUSED =
  /^Not using the Codex token cache in .*: .*\. The cache must belong to this user and be writable by no one else/;

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

const tempDir = () => mkdtemp(join(tmpdir(), 'codex-owner-'));

/** get, set and delete of `dir`'s store each fail with the refusal that names `problem`. */
async function expectRefused(dir: string, problem: RegExp) {
  const store = fileTokenStore(dir);
  const token: StoredToken = { accessToken: 'cdx_at_ours', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 };
  for (const call of [() => store.get('cdx-key'), () => store.set('cdx-key', token), () => store.delete('cdx-key')]) {
    const error = await rejection(call());
    expect(isCodexError(error) && error.code).toBe('token_store_failed');
    expect(error?.message).toMatch(REFUSED);
    expect(error?.message).toMatch(problem);
    expect(error?.message).not.toMatch(/cdx_at_/);
  }
}

describe.runIf(posix)('file token store: only this user’s own cache', () => {
  it.runIf(root)('refuses a token file owned by another user, even 0600', async () => {
    const dir = await tempDir();
    await fileTokenStore(dir).set('cdx-key', PLANTED);
    const [file] = await readdir(dir);
    await chown(join(dir, file as string), NOBODY, NOBODY);
    const error = await rejection(fileTokenStore(dir).get('cdx-key'));
    expect(isCodexError(error) && error.code).toBe('token_store_failed');
    expect(error?.message).toBe(
      `Not using the Codex token cache in ${dir}: its file ${join(dir, file as string)} is owned by uid ${NOBODY}, not by this user (uid ${uid}). The cache must belong to this user and be writable by no one else (like ~/.ssh), or another user could plant a token there or read yours. Tokens are kept in memory only; fix or remove it, use another directory (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
    );
  });

  it.runIf(root)('refuses a directory owned by another user, 0777 or 0700, and writes nothing into it', async () => {
    for (const mode of [0o777, 0o700]) {
      const dir = await tempDir();
      await fileTokenStore(dir).set('cdx-key', PLANTED);
      await chmod(dir, mode);
      await chown(dir, NOBODY, NOBODY);
      const before = await readdir(dir);
      await expectRefused(dir, new RegExp(`: it is owned by uid ${NOBODY}, not by this user \\(uid ${uid}\\)\\.`));
      expect(await readdir(dir)).toEqual(before);
    }
  });

  it('refuses a directory of its own that its group or others can write', async () => {
    for (const [mode, problem] of [
      [0o770, 'its group (permissions 0770)'],
      [0o703, 'others (permissions 0703)'],
      [0o777, 'its group and others (permissions 0777)'],
    ] as const) {
      const dir = await tempDir();
      await fileTokenStore(dir).set('cdx-key', PLANTED);
      await chmod(dir, mode);
      await expectRefused(dir, new RegExp(`: it can be written by ${problem.replace(/[()]/g, '\\$&')}\\.`));
    }
  });

  it('refuses a directory that is a symbolic link, to another user’s directory or even to its own', async () => {
    const base = await tempDir();
    const elsewhere = join(base, 'elsewhere');
    await fileTokenStore(elsewhere).set('cdx-key', PLANTED);
    if (root) await chown(elsewhere, NOBODY, NOBODY);
    const link = join(base, 'tokens');
    await symlink(elsewhere, link);
    await expectRefused(link, /: it is a symbolic link\./);
    expect(await readdir(elsewhere)).toHaveLength(1);
    const own = join(base, 'own');
    await fileTokenStore(own).set('cdx-key', PLANTED);
    await symlink(own, join(base, 'own-link'));
    await expectRefused(join(base, 'own-link'), /: it is a symbolic link\./);
  });

  it('refuses a token file that is a symbolic link (O_NOFOLLOW), and replaces it with a file of its own', async () => {
    const planted = await tempDir();
    await fileTokenStore(planted).set('cdx-key', PLANTED);
    const [name] = await readdir(planted);
    const dir = await tempDir();
    await symlink(join(planted, name as string), join(dir, name as string));
    const error = await rejection(fileTokenStore(dir).get('cdx-key'));
    expect(isCodexError(error) && error.code).toBe('token_store_failed');
    expect(error?.message).toMatch(REFUSED);
    expect(error?.message).toContain(`its file ${join(dir, name as string)} is a symbolic link.`);
    // A set writes a new file in its place (rename replaces the link, never what it points to).
    const ours: StoredToken = { accessToken: 'cdx_at_ours', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 };
    await fileTokenStore(dir).set('cdx-key', ours);
    expect((await lstat(join(dir, name as string))).isSymbolicLink()).toBe(false);
    expect(await fileTokenStore(dir).get('cdx-key')).toEqual(ours);
    expect(JSON.parse(await readFile(join(planted, name as string), 'utf8'))).toEqual(PLANTED);
  });

  it('uses a cache it creates itself, from the first call: a 0700 directory of its own, 0600 files', async () => {
    const dir = join(await tempDir(), 'not', 'there', 'yet');
    const store = fileTokenStore(dir);
    expect(await store.get('cdx-key')).toBeUndefined();
    await store.delete('cdx-key');
    await store.set('cdx-key', PLANTED);
    const stats = await lstat(dir);
    expect({ uid: stats.uid, mode: stats.mode & 0o777 }).toEqual({ uid, mode: 0o700 });
    expect(await store.get('cdx-key')).toEqual(PLANTED);
    // A directory of its own that group and others may read (not write) is fine, as for ssh.
    await chmod(dir, 0o755);
    expect(await store.get('cdx-key')).toEqual(PLANTED);
  });

  describe('a Client over HTTP', () => {
    /** Where a Client of VICTIM's finds its cache, and what of another user's must stay as it was. */
    type Plant = (dir: string, file: string, token: StoredToken) => Promise<{ dir: string; theirs?: string }>;

    /** A directory's files and their contents, or a file's content. */
    async function snapshot(path: string): Promise<unknown> {
      if (!(await lstat(path)).isDirectory()) return readFile(path, 'utf8');
      const names = (await readdir(path)).sort();
      return Promise.all(names.map(async (name) => [name, await readFile(join(path, name), 'utf8')]));
    }

    /**
     * A Client of VICTIM's creates and lists documents with the cache `plant` set up: a real token
     * of ATTACKER's under the file name VICTIM's token has, as another user could leave it.
     */
    async function victimRun(plant: Plant) {
      const server = await devServerWith([VICTIM, ATTACKER]);
      const apiKey = (key: typeof VICTIM) => `${key.clientId}:${key.clientSecret}`;
      // The file name of VICTIM's token, from a cache of its own.
      const scratch = await tempDir();
      await new Client({
        apiKey: apiKey(VICTIM),
        baseUrl: server.url,
        tokenStore: fileTokenStore(scratch),
      }).getAccessToken();
      const [file] = await readdir(scratch);
      const stolen = await new Client({ apiKey: apiKey(ATTACKER), baseUrl: server.url }).getAccessToken();
      const { dir, theirs } = await plant(await tempDir(), file as string, {
        accessToken: stolen.accessToken,
        expiresAt: Date.now() + stolen.expiresIn * 1000,
        lifetimeMs: stolen.expiresIn * 1000,
      });
      const before = theirs && (await snapshot(theirs));
      server.admin.clearRequests();
      const warnings: string[] = [];
      const client = new Client({
        apiKey: apiKey(VICTIM),
        baseUrl: server.url,
        tokenStore: fileTokenStore(dir),
        logger: { warn: (message: string) => warnings.push(message) },
      });
      await client.documents.create({ title: 'mine', content: 'private' });
      await client.documents.list();
      return { server, warnings, before, after: theirs && (await snapshot(theirs)) };
    }

    const cases: [string, boolean, Plant][] = [
      [
        'a 0600 token file owned by another user',
        true,
        async (dir, file, token) => {
          await writeFile(join(dir, file), JSON.stringify(token), { mode: 0o600 });
          await chown(join(dir, file), NOBODY, NOBODY);
          // In a directory of ours: replaced by our token, which is fine.
          return { dir };
        },
      ],
      [
        'a CODEX_CACHE_DIR another user made 0777',
        true,
        async (dir, file, token) => {
          await writeFile(join(dir, file), JSON.stringify(token), { mode: 0o600 });
          await chmod(dir, 0o777);
          await chown(dir, NOBODY, NOBODY);
          return { dir, theirs: dir };
        },
      ],
      [
        'a symbolic link to another user’s directory',
        false,
        async (dir, file, token) => {
          const theirs = join(dir, 'theirs');
          await mkdir(theirs, { mode: 0o700 });
          await writeFile(join(theirs, file), JSON.stringify(token), { mode: 0o600 });
          if (root) await chown(theirs, NOBODY, NOBODY);
          await symlink(theirs, join(dir, 'tokens'));
          return { dir: join(dir, 'tokens'), theirs };
        },
      ],
      [
        'a token file that is a symbolic link to another user’s file',
        false,
        async (dir, file, token) => {
          const theirs = join(dir, 'theirs.json');
          await writeFile(theirs, JSON.stringify(token), { mode: 0o600 });
          if (root) await chown(theirs, NOBODY, NOBODY);
          await mkdir(join(dir, 'tokens'), { mode: 0o700 });
          await symlink(theirs, join(dir, 'tokens', file));
          return { dir: join(dir, 'tokens'), theirs };
        },
      ],
    ];

    for (const [name, needsRoot, plant] of cases) {
      it.skipIf(needsRoot && !root)(`${name}: its token is never sent; one warning; the calls go as ours`, async () => {
        const { server, warnings, before, after } = await victimRun(plant);
        expect(server.admin.requests().map((r) => `${r.operationId} ${r.clientId} ${r.status}`)).toEqual([
          `issueToken ${VICTIM.clientId} 200`,
          `createDocument ${VICTIM.clientId} 201`,
          `listDocuments ${VICTIM.clientId} 200`,
        ]);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(
          /^codex: the token store failed \(get\), ignored: Not using the Codex token cache in \S+: (it|its file \S+) (is owned by|can be written by|is a symbolic link)/,
        );
        expect(warnings[0]).not.toMatch(/cdx_at_|cdx_sk_/);
        // Nothing of ours was written where another user could read it, and nothing of theirs changed.
        expect(after).toEqual(before);
      });
    }
  });
});
