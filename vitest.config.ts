import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No test reads the developer's ~/.ourcoin or OURCOIN_* settings.
    setupFiles: ['test/setup/isolateHome.ts'],
    // Generous: a CPU-bound property test that takes 15 s on a quiet machine must not fail on a
    // loaded one; a test that really hangs still ends here.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (Vitest's default there is one): most of the e2e time
    // is spent waiting on child processes, so two overlap well (measured on a loaded 2-core
    // machine: 1,655 s of test time in 960 s). Tests wait on progress, not on time budgets, so
    // sharing the cores slows them without failing them.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
