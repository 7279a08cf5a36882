import { hostname } from 'node:os';
import { RefreshLockBusy } from '@codex/core';

/**
 * The refresh lock of the file token store: a file created with O_EXCL that names its owner.
 * - It holds JSON: the owner's pid, this host's name, its pid namespace and the process's start
 *   time (Linux: /proc), and a random nonce that names this holding.
 * - A process that finds it held takes it over at once when the owner is dead: on this host (same
 *   name and pid namespace) and either no such pid (`kill(pid, 0)` fails with ESRCH), or a zombie,
 *   or a pid that another process now has (another start time). Issue 19: a SIGKILLed holder made
 *   the next process wait 10 s for the lock to go stale.
 * - Otherwise (an owner on another host sharing the directory, no /proc, a lock written by an older
 *   version of this SDK, a directory) only staleness counts: the holder touches the file every 2 s,
 *   and a lock untouched for 10 s is taken over.
 * - A takeover is exclusive: the taker first creates `<lock>.<nonce>` with O_EXCL, which exactly
 *   one process can do for that holding, then checks that the lock is still that holding and still
 *   takeable, removes it and creates its own with O_EXCL (losing to any process that creates one
 *   first). Two processes that both see a dead owner: one takes over, the other waits for it.
 * Node has no flock(2) (a lock the kernel frees when its holder dies) without a native addon.
 */

/** Who holds a lock, as written in it. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The pid namespace (Linux: readlink /proc/self/ns/pid): containers sharing a directory and a hostname. */
  ns?: string;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks after boot), so that a reused pid is not the owner. */
  start?: string;
  nonce: string;
}

type Self = Omit<LockOwner, 'nonce'>;

const STALE_MS = 10_000;
const TOUCH_MS = 2_000;
/** A token request, with its retries, in another process. */
const WAIT_MS = 20_000;

type Fs = typeof import('node:fs/promises');

/** The state field and start time of a process (Linux), undefined when unknown, null when there is no such process. */
async function processStat(fs: Fs, pid: number): Promise<{ state: string; start: string } | null | undefined> {
  try {
    const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // After the command name in parentheses (which may hold spaces and parentheses): fields 3 on.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [state, start] = [fields[0], fields[19]];
    return state && start && /^\d+$/.test(start) ? { state, start } : undefined;
  } catch (error) {
    // Where /proc exists, no entry means no such process.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && (await hasProc(fs)) ? null : undefined;
  }
}

let proc: Promise<boolean> | undefined;
const hasProc = (fs: Fs) =>
  (proc ??= fs.access('/proc/self/stat').then(
    () => true,
    () => false,
  ));

let self: Promise<Self> | undefined;
/** This process as a lock owner. */
export function thisProcess(): Promise<Self> {
  self ??= (async () => {
    const fs = await import('node:fs/promises');
    const [stat, ns] = await Promise.all([
      processStat(fs, process.pid),
      fs.readlink('/proc/self/ns/pid').catch(() => undefined),
    ]);
    return { pid: process.pid, host: hostname(), ...(ns && { ns }), ...(stat && { start: stat.start }) };
  })();
  return self;
}

/** A lock's contents, checked: undefined unless every field is what this module writes. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const { pid, host, ns, start, nonce } = JSON.parse(text) as Record<string, unknown>;
    // kill(0 or a negative pid) would signal process groups: only a positive pid is an owner.
    if (!(Number.isSafeInteger(pid) && (pid as number) > 0 && (pid as number) < 2 ** 31)) return undefined;
    if (typeof host !== 'string' || host.length > 255 || typeof nonce !== 'string' || !/^[0-9a-f]{16}$/.test(nonce))
      return undefined;
    if (ns !== undefined && (typeof ns !== 'string' || ns.length > 64)) return undefined;
    if (start !== undefined && (typeof start !== 'string' || !/^\d{1,20}$/.test(start))) return undefined;
    return { pid: pid as number, host, nonce, ...(ns !== undefined && { ns }), ...(start !== undefined && { start }) };
  } catch {
    return undefined;
  }
}

/** Whether a lock's owner is known to be dead: it ran on this host and its process is gone. */
export async function ownerIsDead(owner: LockOwner, me: Self): Promise<boolean> {
  if (owner.host !== me.host || owner.ns !== me.ns) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = await processStat(await import('node:fs/promises'), owner.pid);
  if (now === null) return true;
  if (now === undefined) return false;
  return now.state === 'Z' || (owner.start !== undefined && now.start !== owner.start);
}

interface Held {
  /** This holding: its nonce, or for a lock that does not parse, its inode and modification time. */
  id: string;
  owner: LockOwner | undefined;
  directory: boolean;
  mtimeMs: number;
}

/** The lock as it is now; undefined when there is none. */
async function inspect(fs: Fs, path: string): Promise<Held | undefined> {
  try {
    const stats = await fs.lstat(path);
    const text = stats.isFile() && stats.size <= 1024 ? await fs.readFile(path, 'utf8') : '';
    const owner = parseOwner(text);
    const id = owner?.nonce ?? `${stats.ino}-${Math.trunc(stats.mtimeMs)}`;
    return { id, owner, directory: stats.isDirectory(), mtimeMs: stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const takeable = async (held: Held, me: Self) =>
  Date.now() - held.mtimeMs > STALE_MS || (held.owner !== undefined && (await ownerIsDead(held.owner, me)));

const isExists = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'EEXIST';

/** Creates the lock, or throws EEXIST. */
async function create(fs: Fs, path: string, content: string) {
  const handle = await fs.open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(path, { force: true });
    throw error;
  }
}

/** Replaces a takeable lock with ours; false when another process took it first, or it is not takeable any more. */
async function takeOver(fs: Fs, path: string, held: Held, me: Self, content: string) {
  const claim = `${path}.${held.id}`;
  try {
    await fs.writeFile(claim, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!isExists(error)) throw error;
    // Another process is taking it over. A claim left by a process that died in these few lines
    // would block the takeover for ever: after 10 s it is removed.
    const stats = await fs.lstat(claim).catch(() => undefined);
    if (stats && Date.now() - stats.mtimeMs > STALE_MS) await fs.rm(claim, { force: true });
    return undefined;
  }
  try {
    const now = await inspect(fs, path);
    if (now?.id !== held.id || !(await takeable(now, me))) return undefined;
    await fs.rm(path, { force: true, recursive: now.directory });
    return await create(fs, path, content);
  } catch (error) {
    if (isExists(error)) return undefined;
    throw error;
  } finally {
    await fs.rm(claim, { force: true }).catch(() => {});
  }
}

/**
 * Takes the lock file at `path` (its directory exists and is this user's own) and returns its
 * release. `wait: false`: throws RefreshLockBusy at once when a live process holds it; `wait: true`:
 * polls, and throws RefreshLockBusy after about 20 s. Other errors: no lock is to be had.
 */
export async function takeLockFile(path: string, wait: boolean): Promise<() => Promise<void>> {
  const [fs, crypto, me] = await Promise.all([import('node:fs/promises'), import('node:crypto'), thisProcess()]);
  const content = JSON.stringify({ ...me, nonce: crypto.randomBytes(8).toString('hex') });
  const deadline = Date.now() + WAIT_MS;
  let handle: import('node:fs/promises').FileHandle | undefined;
  for (let delay = 20; !handle; delay = Math.min(delay * 1.2, 250)) {
    handle = await create(fs, path, content).catch((error: unknown) => {
      if (!isExists(error)) throw error;
      return undefined;
    });
    if (handle) break;
    const held = await inspect(fs, path);
    // Let go meanwhile: try again at once.
    if (!held && Date.now() <= deadline) continue;
    if (held && (await takeable(held, me))) handle = await takeOver(fs, path, held, me, content);
    if (handle) break;
    if (!wait || Date.now() > deadline) throw new RefreshLockBusy();
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const owned = handle;
  // Touched while held, so that processes that cannot tell whether we live (another host) do not
  // take it over. Through the handle: after a takeover it touches our own unlinked file, no other.
  const touch = setInterval(() => {
    const now = new Date();
    owned.utimes(now, now).catch(() => {});
  }, TOUCH_MS);
  touch.unref();
  return async () => {
    clearInterval(touch);
    try {
      // Only our own lock is removed, not one that replaced it (taken over while we were too slow).
      const [mine, there] = await Promise.all([owned.stat(), fs.lstat(path)]);
      if (mine.ino === there.ino && mine.dev === there.dev) await fs.rm(path, { force: true });
    } finally {
      await owned.close();
    }
  };
}
