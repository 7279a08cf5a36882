import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANNER } from '../src/config.ts';
import { generate, OUTPUT, readTree } from './generate.ts';

const FIXTURE = new URL('./fixtures/mini.yaml', import.meta.url).pathname;

// Our plugin's output, and the types it refers to (hey-api's HTTP client and SDK functions are
// not generated: the file list pins that too).
const OURS = /^(codex\/.*|types)\.gen\.ts$/;

describe('generator on the fixture spec', () => {
  it('matches the committed snapshots of the operation table, the resource classes, the types and api.md', async () => {
    const out = join(OUTPUT, 'mini');
    const apiReference = join(OUTPUT, 'mini-api.md');
    await generate(FIXTURE, out, apiReference);
    const tree = await readTree(out);
    expect([...tree.keys()]).toMatchSnapshot('file list');
    for (const [file, contents] of tree) {
      if (OURS.test(file)) await expect(contents).toMatchFileSnapshot(`./__snapshots__/mini/${file}`);
    }
    await expect(await readFile(apiReference, 'utf8')).toMatchFileSnapshot('./__snapshots__/mini-api.md');
  });

  it('names every file *.gen.ts and starts it with the do-not-edit banner', async () => {
    const out = join(OUTPUT, 'mini-banner');
    await generate(FIXTURE, out);
    const tree = await readTree(out);
    expect(tree.size).toBeGreaterThanOrEqual(3);
    for (const [file, contents] of tree) {
      expect(file).toMatch(/\.gen\.ts$/);
      expect(contents.startsWith(`${BANNER.join('\n')}\n`), file).toBe(true);
    }
  });

  it('is deterministic: two runs write identical trees and identical api.md', async () => {
    const run = (name: string) => generate(FIXTURE, join(OUTPUT, name, 'gen'), join(OUTPUT, name, 'api.md'));
    await run('run-a');
    await run('run-b');
    const [a, b] = await Promise.all([readTree(join(OUTPUT, 'run-a')), readTree(join(OUTPUT, 'run-b'))]);
    expect([...a.keys()]).toContain('api.md');
    expect(a.get('api.md')).toContain('client.items.list(');
    expect(b).toEqual(a);
  });
});
