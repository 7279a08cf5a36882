import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Tests run in real Chromium: Debian's /usr/bin/chromium (CI installs it with apt-get), driven by
// Playwright; nothing is downloaded. CHROMIUM_PATH overrides the binary.
export default defineConfig({
  resolve: { conditions: ['@codex/source'] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 20_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
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
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
