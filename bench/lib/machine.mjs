import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, totalmem } from 'node:os';

/** The machine and tree the figures come from. */
export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'packages').split('\n').filter(Boolean).length;
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    // Other work on the machine at the start: per-call and cold-start figures are noisier under load.
    load: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` (+ ${dirty} uncommitted changes under packages/)` : ''}`,
  };
}
