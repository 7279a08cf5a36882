// CI: serves the built example page and opens it in real Chromium (Debian's, no download); passes
// when the page has written and listed documents through @codex/browser.
import { chromium } from 'playwright';
import { serveExample } from './serve.mjs';

const example = await serveExample();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    // /dev/shm is 64 MB in many containers (CI's included, perhaps): Chromium's pages crash when
    // it fills. Shared memory goes to /tmp instead.
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let ok = false;
try {
  const page = await browser.newPage();
  await page.goto(example.url);
  await page.waitForSelector('body:not([data-status="loading"])', { timeout: 20_000 });
  const status = await page.getAttribute('body', 'data-status');
  const text = await page.textContent('#status');
  const items = await page.$$eval('#documents li', (lis) => lis.map((li) => li.textContent));
  console.log(`browser example: ${status}: ${text}; ${items.join(' | ')}`);
  const tokens = example.api.admin.requests().filter((r) => r.operationId === 'issueToken').length;
  console.log(`token requests (by the backend, not the page): ${tokens}`);
  ok = status === 'ok' && items.length === 1;
} finally {
  await browser.close();
  await example.close();
}
process.exit(ok ? 0 : 1);
