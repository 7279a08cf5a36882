import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import { codexConfig } from '../src/config.ts';

export const OUTPUT = new URL('./.output/', import.meta.url).pathname;

/**
 * Runs the real generator (same config as `pnpm generate`) on `input`, quietly, into `output`;
 * with `apiReference`, also writes api.md there (a path outside `output`, which holds `*.gen.ts` only);
 * with `cli`, also writes the CLI's commands.gen.ts there (also outside `output`).
 */
export async function generate(
  input: string | Record<string, unknown>,
  output: string,
  apiReference?: string,
  cli?: string,
): Promise<void> {
  await rm(output, { recursive: true, force: true });
  await mkdir(output, { recursive: true });
  if (apiReference) await rm(apiReference, { force: true });
  if (cli) await rm(cli, { force: true });
  const config = codexConfig({
    input: input as string,
    output,
    ...(apiReference && { apiReference: { file: apiReference } }),
    ...(cli && { cli: { file: cli } }),
  });
  try {
    await createClient({ ...config, logs: { file: false, level: 'silent' } });
  } catch (error) {
    // hey-api wraps a plugin's error in a JobError with an empty message; surface the plugin's own.
    const inner = (error as { originalError?: { error?: unknown } }).originalError?.error;
    throw inner instanceof Error ? inner : error;
  }
}

/** Every file below `dir`, as path (relative, `/`-separated, sorted) -> contents. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
  return new Map(
    await Promise.all(files.map(async (file) => [file, await readFile(join(dir, file), 'utf8')] as const)),
  );
}
