// node --test scripts/ (pnpm test:scripts): the usage guide is one text in README.md and in
// packages/sdk/README.md (npm's page), with links that work in both places.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGuide, copyForSdk, slug, splitGuide } from './sync-readme-guide.mjs';

const repo = 'https://github.com/codex/codex-sdks';
const guide = (body) => `<!-- guide:start -->\n${body}\n<!-- guide:end -->`;

test('the repository: packages/sdk/README.md holds README.md’s guide, and its links resolve', () => {
  assert.deepEqual(checkGuide(), []);
});

test('slugs are GitHub’s anchors', () => {
  assert.equal(slug('Fleets: many processes on one key (Redis)'), 'fleets-many-processes-on-one-key-redis');
  assert.equal(slug('Timeouts, deadlines and cancellation'), 'timeouts-deadlines-and-cancellation');
  assert.equal(slug('Tracing (OpenTelemetry)'), 'tracing-opentelemetry');
});

test('the copy: files become GitHub links (tree for a folder), sections outside the guide README.md’s', () => {
  const text = guide(
    [
      '## Errors',
      'See [errors](#errors), [quick start](#quick-start), [node](packages/node/README.md#proxies),',
      '[fleet](examples/fleet), [web](https://example.com/x).',
      '```js',
      "const link = '[kept](packages/node/README.md)';",
      '```',
    ].join('\n'),
  );
  const { copy, problems } = copyForSdk(text, `# Title\n## Quick start\n${text}`, { repo });
  assert.deepEqual(problems, []);
  assert.match(copy, /\[errors\]\(#errors\)/);
  assert.match(copy, /\[quick start\]\(https:\/\/github\.com\/codex\/codex-sdks\/blob\/main\/README\.md#quick-start\)/);
  assert.match(copy, /\(https:\/\/github\.com\/codex\/codex-sdks\/blob\/main\/packages\/node\/README\.md#proxies\)/);
  assert.match(copy, /\(https:\/\/github\.com\/codex\/codex-sdks\/tree\/main\/examples\/fleet\)/);
  assert.match(copy, /\(https:\/\/example\.com\/x\)/);
  assert.match(copy, /'\[kept\]\(packages\/node\/README\.md\)'/); // code is left alone
});

test('broken links are reported: a missing file, a missing heading here or in another README', () => {
  const text = guide('[a](#nowhere) [b](packages/nope.md) [c](packages/node/README.md#no-such-section)');
  const { problems } = copyForSdk(text, text, { repo });
  assert.equal(problems.length, 3, problems.join('\n'));
});

test('a README without the markers is an error that names it', () => {
  assert.throws(() => splitGuide('# no guide', 'X.md'), /X\.md: no <!-- guide:start -->/);
});
