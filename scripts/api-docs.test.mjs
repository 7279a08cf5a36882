// node --test scripts/ (pnpm test:scripts): the API reference site (`pnpm api:docs`, typedoc.json)
// as a reader gets it, in real Chromium (issue 21, item 3). Builds the site into a temporary
// folder with the repository's TypeDoc configuration, serves it on 127.0.0.1, and checks that
// - the landing page is the usage guide, with a code sample and a link to every package;
// - the search box finds `documents.list`, and its result opens the method, whose Throws
//   sections name the error classes (as links);
// - the sidebar lists each package once, and core's symbols under @codex/core only;
// - the generator's own types (`<Op>Data`, `<Op>Errors`, `DocumentId2`, `Error`...) have no page.
// Chromium is Debian's (CHROMIUM_PATH, else /usr/bin/chromium). Without it the tests in the browser
// are skipped with a notice on a developer's machine, and fail in CI (CI=true), as
// scripts/with-debian-package.mjs does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const missing = `chromium not found at ${chromiumPath}: the API reference site test cannot run. Install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH.`;
if (!haveChromium && !process.env.CI) console.warn(`\n⚠ SKIPPED: scripts/api-docs.test.mjs — ${missing}\n`);
const skip = !haveChromium && !process.env.CI ? missing : false;

const PACKAGES = ['@codex/core', '@codex/node', '@codex/browser', '@codex/deno', '@codex/sdk', '@codex/redis'];
/** Types the generator emits for its own use (per operation of the spec, numbered twins, the error envelope): no page. */
const operations = [...readFileSync(join(root, 'openapi/codex.yaml'), 'utf8').matchAll(/operationId: (\w+)/g)].map(
  ([, id]) => id[0].toUpperCase() + id.slice(1),
);
const LEFTOVER = new RegExp(`^(?:(?:${operations.join('|')})(?:Data|Errors?|Responses?)|\\w+\\d|Error)$`);
const KEPT = ['Document', 'DocumentCreate', 'DocumentUpdate', 'BatchOperation', 'ErrorCode'];

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
let site;
let server;
let baseUrl;
let browser;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'codex-api-docs-'));
  const build = spawnSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', site], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `typedoc failed:\n${build.stdout}${build.stderr}`);
  if (!haveChromium) return; // the tests in the browser skip (a developer's machine) or fail (CI)

  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(site, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(site + sep) || !existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}/`;

  // Playwright (no browser download: Debian's Chromium) is a dependency of @codex/browser's tests.
  const { chromium } = createRequire(join(root, 'packages/browser/package.json'))('playwright');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

/** A new page of the site, failing the test on any script error it reports. */
async function open(path) {
  assert.ok(haveChromium, missing);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Every file the site asks for must exist (Chromium's own favicon.ico request aside).
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
      errors.push(`${response.status()} ${response.url()}`);
  });
  const response = await page.goto(new URL(path, baseUrl).href);
  assert.equal(response?.status(), 200, `${path} answered ${response?.status()}`);
  return { page, errors };
}

test('the landing page is the usage guide: a code sample, the guides and every package', { skip }, async () => {
  const { page, errors } = await open('index.html');
  const sample = page.locator('.tsd-panel.tsd-typography pre code').first();
  await sample.waitFor({ state: 'visible' });
  assert.match(await sample.textContent(), /new Client\(/);
  assert.match(await sample.textContent(), /client\.documents\.list\(/);

  const content = page.locator('.tsd-panel.tsd-typography');
  for (const name of PACKAGES) {
    assert.equal((await content.getByRole('link', { name, exact: true }).count()) > 0, true, `no link to ${name}`);
  }
  const guides = await content.locator('a[href^="documents/"]').count();
  assert.ok(guides >= 8, `the landing page links to ${guides} guide pages`);

  // The sidebar (drawn by the site's script): each package once, core's symbols only under core.
  const nav = page.locator('.site-menu nav.tsd-navigation');
  await nav.locator('a[href$="modules/_codex_core.html"]').waitFor({ state: 'attached' });
  for (const name of PACKAGES) {
    const href = `modules/${name.replace(/[@/]/g, '_')}.html`;
    assert.equal(await nav.locator(`a[href$="${href}"]`).count(), 1, `sidebar links to ${name}`);
  }
  const entries = readNavigation(site);
  assert.equal(entries.filter((entry) => entry.text === 'NotFoundError').length, 1, 'NotFoundError is listed once');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the search box finds documents.list; the method names the classes it throws', { skip }, async () => {
  const { page, errors } = await open('index.html');
  await page.locator('#tsd-search-trigger').click();
  await page.locator('#tsd-search-input').fill('documents.list');
  const hit = page.locator('#tsd-search-results a[href$="classes/_codex_core.Documents.html#list"]');
  await hit.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await hit.textContent(), /@codex\/core\.Documents\.list$/);
  await hit.click();
  await page.waitForURL(/Documents\.html#list$/);

  const list = page.locator('section.tsd-member:has(#list)');
  const thrown = await list.locator('.tsd-tag-throws a').allTextContents();
  for (const name of ['BadRequestError', 'AuthenticationError', 'RateLimitError', 'InternalServerError'])
    assert.ok(thrown.includes(name), `Throws of documents.list names ${name}: ${thrown.join(', ')}`);
  const get = page.locator('section.tsd-member:has(#get)');
  assert.ok((await get.locator('.tsd-tag-throws a').allTextContents()).includes('NotFoundError'));
  assert.deepEqual(errors, []);
  await page.close();
});

test("the generator's own types have no page; the types users touch do", () => {
  const types = readdirSync(join(site, 'types')).map((file) => file.replace(/^_codex_core\.|\.html$/g, ''));
  assert.deepEqual(
    types.filter((name) => LEFTOVER.test(name)),
    [],
  );
  for (const name of KEPT) assert.ok(types.includes(name), `${name} has a page`);
});

/** The sidebar's entries, collapsed ones included, as the site's navigation.js holds them (a flat list). */
function readNavigation(dir) {
  const text = readFileSync(join(dir, 'assets/navigation.js'), 'utf8');
  const data = /"([^"]+)"/.exec(text)?.[1] ?? '';
  const tree = JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString('utf8'));
  const flat = [];
  const walk = (entries) => {
    for (const entry of entries) {
      flat.push(entry);
      if (entry.children) walk(entry.children);
    }
  };
  walk(tree);
  return flat;
}
