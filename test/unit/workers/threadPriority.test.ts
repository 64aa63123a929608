/**
 * A worker thread lowers its own scheduling priority, never the main thread's (on Linux, where
 * the nice value is per thread; elsewhere nothing changes).
 */
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../../src/workers/startWorker.js';
import { setThisThreadNice } from '../../../src/workers/threadPriority.js';

describe('setThisThreadNice', () => {
  it('lowers the calling worker thread only', async () => {
    const before = getPriority(0);
    const worker = startWorker(import.meta.url, 'priorityWorker');
    const reply = await new Promise<{ lowered: boolean; nice: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    // (A process already nicer than 7 may not raise its priority back: then only the last check holds.)
    if (process.platform === 'linux' && before <= 7) expect(reply).toEqual({ lowered: true, nice: 7 });
    else if (process.platform !== 'linux') expect(reply.lowered).toBe(false);
    expect(getPriority(0)).toBe(before);
  });

  it('does nothing on the main thread', () => {
    const before = getPriority(0);
    expect(setThisThreadNice(5)).toBe(false);
    expect(getPriority(0)).toBe(before);
  });
});
