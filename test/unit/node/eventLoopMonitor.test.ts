import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_RESOLUTION_MS, EventLoopMonitor } from '../../../src/node/eventLoopMonitor.js';

describe('EventLoopMonitor', () => {
  it('sees the main thread blocked: a 300 ms busy loop shows as a delay of at least 250 ms', async () => {
    const monitor = new EventLoopMonitor(60_000);
    try {
      // Let the sampler run once (it wakes every EVENT_LOOP_RESOLUTION_MS), then hold the thread.
      await new Promise((r) => setTimeout(r, 2 * EVENT_LOOP_RESOLUTION_MS));
      const until = performance.now() + 300;
      while (performance.now() < until) {
        /* the main thread is busy */
      }
      await new Promise((r) => setTimeout(r, 2 * EVENT_LOOP_RESOLUTION_MS));
      const d = monitor.delay();
      expect(d.windowSeconds).toBe(60);
      expect(d.maxMs).toBeGreaterThanOrEqual(250);
      expect(d.p99Ms).toBeLessThanOrEqual(d.maxMs);
      expect(d.p50Ms).toBeLessThanOrEqual(d.p99Ms);
    } finally {
      monitor.close();
    }
  });
});
