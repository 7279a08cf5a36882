// Which files of a package's dist/ nothing reaches: not an entry point of package.json (exports,
// main, module, types, bin), and not imported, required, referenced or source-mapped by a file
// that is. Such a file is a leftover of an older build (a build that does not empty dist/ first
// keeps the outputs of entries since removed), and `pnpm pack` would publish it all the same.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Every string in a package.json field (exports maps nest by condition). */
function targets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

// Relative specifiers in built JS and declaration files: import/export ... from, import(),
// require(), /// <reference path>, and the source map comment.
const REFERENCES = [
  /\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
  /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
  /\brequire\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  /<reference\s+path\s*=\s*["']([^"']+)["']/g,
  /[#@]\s*sourceMappingURL=(?!data:)(\S+)/g,
];

const isFile = (path) => existsSync(path) && statSync(path).isFile();

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => statSync(path).isFile());
}

/** dist/ files (paths relative to the package, with '/') that no entry point reaches. */
export function unreachableDistFiles(packageDir) {
  const root = resolve(packageDir);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = [manifest.exports, manifest.main, manifest.module, manifest.types, manifest.typings, manifest.bin]
    .flatMap(targets)
    .map((target) => resolve(root, target));
  const reached = new Set();
  const pending = entries.filter(isFile);
  while (pending.length) {
    const file = pending.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    if (file.endsWith('.map')) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of REFERENCES) {
      for (const [, specifier] of text.matchAll(pattern)) {
        const target = resolve(dirname(file), specifier);
        // Declarations name './chunk' or './chunk.js' for './chunk.d.ts'.
        const candidates = [target, `${target}.js`, target.replace(/\.(c|m)?js$/, '.d.$1ts'), `${target}.d.ts`];
        for (const candidate of candidates) if (isFile(candidate) && !reached.has(candidate)) pending.push(candidate);
      }
    }
  }
  return listFiles(join(root, 'dist'))
    .filter((path) => !reached.has(path))
    .map((path) => relative(root, path).split(sep).join('/'))
    .sort();
}
