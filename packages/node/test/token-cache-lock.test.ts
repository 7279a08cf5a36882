import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RefreshLockBusy } from '@codex/core';
import { describe, expect, it } from 'vitest';
import { type LockOwner, ownerIsDead, parseOwner, takeLockFile, thisProcess } from '../src/lock-file';

const run = promisify(execFile);
const NONCE = '0123456789abcdef';

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
  return Number(stdout.trim());
}

const lockDir = () => mkdtemp(join(tmpdir(), 'codex-lock-'));

describe('the file token store refresh lock (issue 19)', () => {
  it('knows its own process: pid, host, pid namespace and start time (Linux)', async () => {
    const me = await thisProcess();
    expect(me.pid).toBe(process.pid);
    expect(me.start).toMatch(/^\d+$/);
    expect(me.ns).toMatch(/^pid:\[\d+\]$/);
  });

  it('takes an owner for dead when its pid is gone, a zombie or another process (start time); alive otherwise', async () => {
    const me = await thisProcess();
    const owner = (fields: Partial<LockOwner>): LockOwner => ({ ...me, nonce: NONCE, ...fields });
    expect(await ownerIsDead(owner({}), me)).toBe(false);
    expect(await ownerIsDead(owner({ pid: await deadPid() }), me)).toBe(true);
    expect(await ownerIsDead(owner({ start: String(Number(me.start) + 1) }), me)).toBe(true);
    // No start time recorded (no /proc where it ran): a live pid may be the owner.
    const { start: _, ...noStart } = owner({});
    expect(await ownerIsDead(noStart, me)).toBe(false);
    // Another host, or another pid namespace (a container sharing the directory): not ours to judge.
    expect(await ownerIsDead(owner({ pid: await deadPid(), host: `${me.host}-other` }), me)).toBe(false);
    expect(await ownerIsDead(owner({ pid: await deadPid(), ns: 'pid:[1]' }), me)).toBe(false);
  });

  it('reads only a lock it could have written: a positive pid, a hex nonce', () => {
    const good = { pid: 42, host: 'h', start: '7', nonce: NONCE };
    expect(parseOwner(JSON.stringify(good))).toEqual(good);
    for (const pid of [0, -1, 1.5, 2 ** 31, '42']) expect(parseOwner(JSON.stringify({ ...good, pid }))).toBeUndefined();
    expect(parseOwner(JSON.stringify({ ...good, nonce: '../x' }))).toBeUndefined();
    expect(parseOwner(JSON.stringify({ ...good, start: 'x' }))).toBeUndefined();
    expect(parseOwner('')).toBeUndefined();
  });

  it('writes its owner into the lock and removes it on release', async () => {
    const lock = join(await lockDir(), 'k.lock');
    const release = await takeLockFile(lock, false);
    const owner = parseOwner(await readFile(lock, 'utf8'));
    expect(owner).toEqual({ ...(await thisProcess()), nonce: expect.stringMatching(/^[0-9a-f]{16}$/) });
    await expect(takeLockFile(lock, false)).rejects.toBeInstanceOf(RefreshLockBusy);
    await release();
    expect(await readdir(join(lock, '..'))).toEqual([]);
  });

  it('waits for a live holder on this host, and takes the lock when it lets go', async () => {
    const lock = join(await lockDir(), 'k.lock');
    const release = await takeLockFile(lock, false);
    let taken = false;
    const waiting = takeLockFile(lock, true).then((r) => {
      taken = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(taken).toBe(false);
    await release();
    await (await waiting)();
    expect(taken).toBe(true);
  });

  it('takes over a dead owner’s lock at once: of many takers at once, exactly one', async () => {
    const me = await thisProcess();
    for (let round = 0; round < 20; round++) {
      const lock = join(await lockDir(), 'k.lock');
      await writeFile(lock, JSON.stringify({ ...me, pid: await deadPid(), nonce: NONCE }));
      const started = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () =>
          takeLockFile(lock, false).then(
            (release) => release,
            (error: unknown) => error,
          ),
        ),
      );
      const releases = outcomes.filter((o): o is () => Promise<void> => typeof o === 'function');
      expect(releases).toHaveLength(1);
      expect(outcomes.filter((o) => o instanceof RefreshLockBusy)).toHaveLength(11);
      expect(Date.now() - started).toBeLessThan(1000);
      await releases[0]?.();
      expect(await readdir(join(lock, '..'))).toEqual([]);
    }
  });

  it('takes over the lock of an owner on another host only once it is 10 s stale', async () => {
    const me = await thisProcess();
    const lock = join(await lockDir(), 'k.lock');
    await writeFile(lock, JSON.stringify({ ...me, host: `${me.host}-other`, pid: await deadPid(), nonce: NONCE }));
    await expect(takeLockFile(lock, false)).rejects.toBeInstanceOf(RefreshLockBusy);
    const old = new Date(Date.now() - 11_000);
    await utimes(lock, old, old);
    await (await takeLockFile(lock, false))();
    // A lock directory left by an older version (proper-lockfile's mkdir), stale: taken over too.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(lock);
    await expect(takeLockFile(lock, false)).rejects.toBeInstanceOf(RefreshLockBusy);
    await utimes(lock, old, old);
    await (await takeLockFile(lock, false))();
  });
});
