import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No test reads the developer's ~/.ourcoin or OURCOIN_* settings.
    setupFiles: ['test/setup/isolateHome.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
