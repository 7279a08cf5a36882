#!/usr/bin/env node
// Runs a command with the pinned pnpm on PATH and the workspace installed, on a machine that has
// only Node and npm (README's Quick start, .ci/run). pnpm is installed into .tools/ with npm
// rather than globally or through corepack, whose bundled signing keys lag behind npm's.
//   node scripts/with-pnpm.mjs [command args...]
// `pnpm install --frozen-lockfile` runs only when something it depends on changed since the last
// install through this script: pnpm-lock.yaml, pnpm-workspace.yaml, .npmrc, a workspace
// package.json, the pnpm version, what pnpm records as installed (node_modules/.pnpm/lock.yaml,
// changed by e.g. a plain `pnpm install` on another branch), or a project's node_modules is gone.
// pnpm's own no-op install relinks the whole workspace (25-40 s here); this check takes
// milliseconds. The record is node_modules/.with-pnpm-state: delete it to force an install.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATE_FILE = join('node_modules', '.with-pnpm-state');

/** The workspace's project folders (relative, '' for the root), from pnpm-workspace.yaml. */
export function workspaceProjects(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\s*\n((?:[ \t]*(?:-.*|#.*)?\n?)*)/m.exec(yaml)?.[1] ?? '';
  const patterns = [...block.matchAll(/^[ \t]*-[ \t]*["']?([^"'#\s]+)["']?/gm)].map((m) => m[1]);
  const projects = [''];
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    if (/[*?{[]/.test(pattern.replace(/\/\*$/, ''))) return null; // a glob this check does not read
    const dir = pattern.replace(/\/\*$/, '');
    const children = pattern.endsWith('/*')
      ? existsSync(join(root, dir))
        ? readdirSync(join(root, dir), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => `${dir}/${e.name}`)
        : []
      : [dir];
    projects.push(...children.filter((p) => existsSync(join(root, p, 'package.json'))).sort());
  }
  return projects;
}

/** A hash of everything `pnpm install --frozen-lockfile` installs from, or null if unknown. */
export function installInputs(root, pnpm) {
  const projects = workspaceProjects(root);
  if (!projects || !existsSync(join(root, 'pnpm-lock.yaml'))) return null;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ pnpm, platform: process.platform, arch: process.arch, projects }));
  for (const file of [
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    '.npmrc',
    '.pnpmfile.cjs',
    ...projects.map((p) => join(p, 'package.json')),
  ]) {
    hash.update(`\0${file}\0`);
    if (existsSync(join(root, file))) hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

/** A hash of what pnpm records as installed (node_modules/.pnpm/lock.yaml), or null. */
function installedHash(root) {
  const current = join(root, 'node_modules', '.pnpm', 'lock.yaml');
  return existsSync(current) ? createHash('sha256').update(readFileSync(current)).digest('hex') : null;
}

/** Whether node_modules is what an install of the current inputs left, so installing again is a no-op. */
export function installIsCurrent(root, pnpm) {
  const inputs = installInputs(root, pnpm);
  const installed = installedHash(root);
  if (!inputs || !installed || !existsSync(join(root, 'node_modules', '.modules.yaml'))) return false;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(root, STATE_FILE), 'utf8'));
  } catch {
    return false;
  }
  // Inputs changed, or pnpm installed something else since (a `pnpm install` on another branch).
  if (recorded.inputs !== inputs || recorded.installed !== installed) return false;
  // A project whose node_modules was deleted since.
  return workspaceProjects(root).every((project) => {
    const manifest = JSON.parse(readFileSync(join(root, project, 'package.json'), 'utf8'));
    const hasDependencies = ['dependencies', 'devDependencies', 'optionalDependencies'].some(
      (field) => Object.keys(manifest[field] ?? {}).length > 0,
    );
    return !hasDependencies || existsSync(join(root, project, 'node_modules'));
  });
}

/** Records that node_modules was installed from the current inputs. */
export function recordInstall(root, pnpm) {
  const inputs = installInputs(root, pnpm);
  const installed = installedHash(root);
  if (inputs && installed) writeFileSync(join(root, STATE_FILE), `${JSON.stringify({ inputs, installed, pnpm })}\n`);
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = packageManager.replace(/^pnpm@/, '');
  const toolsBin = join(root, '.tools', 'node_modules', '.bin');
  const env = {
    ...process.env,
    PATH: `${toolsBin}${delimiter}${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`,
  };
  // npm exports its own config as npm_config_* to scripts; pnpm would read it as its own.
  for (const key of Object.keys(env)) if (key.startsWith('npm_config_')) delete env[key];
  // turbo's first-run telemetry notice would print before the Quick start's demo; as in .ci/run.
  env.TURBO_TELEMETRY_DISABLED ??= '1';

  const run = (command, args) => {
    const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' });
    if (result.error) throw result.error;
    return result.status ?? 1;
  };
  // The pnpm first on PATH: .tools/'s (read from its package.json, no process started), or another.
  const pnpmVersion = () => {
    try {
      const tools = JSON.parse(readFileSync(join(root, '.tools', 'node_modules', 'pnpm', 'package.json'), 'utf8'));
      if (tools.version === version && existsSync(join(toolsBin, process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm')))
        return tools.version;
    } catch {}
    const result = spawnSync('pnpm', ['--version'], {
      cwd: root,
      env,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    return result.status === 0 ? result.stdout.trim() : null;
  };

  if (pnpmVersion() !== version) {
    console.error(`[with-pnpm] installing pnpm ${version} into .tools/`);
    const status = run('npm', [
      'install',
      '--prefix',
      join(root, '.tools'),
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${version}`,
    ]);
    if (status !== 0 || pnpmVersion() !== version) {
      console.error(
        `[with-pnpm] could not install pnpm ${version} with npm; install it yourself (npm i -g pnpm@${version}).`,
      );
      process.exit(1);
    }
  }

  if (installIsCurrent(root, version)) {
    console.error('[with-pnpm] node_modules is current (lockfile and package.json files unchanged): no pnpm install');
  } else {
    // Never rewrites the lockfile. Warnings and errors only: no progress lines or list of what
    // was added, so the Quick start's demo starts near the top of its output.
    console.error('[with-pnpm] installing the dependencies: pnpm install --frozen-lockfile');
    const installed = run('pnpm', [
      'install',
      '--frozen-lockfile',
      '--prefer-offline',
      '--reporter=append-only',
      '--loglevel=warn',
    ]);
    if (installed !== 0) process.exit(installed);
    recordInstall(root, version);
  }

  const [command, ...args] = process.argv.slice(2);
  if (!command) process.exit(0);
  process.exit(existsSync(join(root, 'node_modules')) ? run(command, args) : 1);
}

// Run as a script (not imported by its test).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
