import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test runs the whole generator (a second or two).
    testTimeout: 30_000,
  },
});
