import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANNER } from '../src/config.ts';
import { generate, OUTPUT, readTree } from './generate.ts';

const FIXTURE = new URL('./fixtures/mini.yaml', import.meta.url).pathname;

// Our plugin's output, and the types it refers to (hey-api's HTTP client and SDK functions are
// not generated: the file list pins that too).
const OURS = /^(codex\/.*|types)\.gen\.ts$/;

describe('generator on the fixture spec', () => {
  it('matches the committed snapshots of the operation table, the resource classes and the types', async () => {
    const out = join(OUTPUT, 'mini');
    await generate(FIXTURE, out);
    const tree = await readTree(out);
    expect([...tree.keys()]).toMatchSnapshot('file list');
    for (const [file, contents] of tree) {
      if (OURS.test(file)) await expect(contents).toMatchFileSnapshot(`./__snapshots__/mini/${file}`);
    }
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

  it('is deterministic: two runs write identical trees', async () => {
    await generate(FIXTURE, join(OUTPUT, 'run-a'));
    await generate(FIXTURE, join(OUTPUT, 'run-b'));
    const [a, b] = await Promise.all([readTree(join(OUTPUT, 'run-a')), readTree(join(OUTPUT, 'run-b'))]);
    expect(a.size).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
