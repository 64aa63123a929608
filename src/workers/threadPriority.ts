/**
 * Sets the nice value of the calling worker thread. The node's worker threads take a positive
 * one (a lower priority), so that the main thread (the API, the network, connecting blocks)
 * is served first when every core is busy; the network simulator's link thread a negative
 * one, since it stands in for the network, which does not queue behind the nodes it carries.
 *
 * With two cores and two BLS threads at work, the main thread competed with them as an equal:
 * a /status poll waited up to 100 ms while the node checked a large invalid block, with the
 * main thread itself 5% busy. On Linux the nice value is per thread (setpriority on the
 * calling thread's id, which `os.setPriority(0, n)` reaches), so a worker can set its own;
 * elsewhere it would set the whole process's, so nothing is done there. A negative value
 * needs root (or CAP_SYS_NICE) and is refused otherwise.
 */
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** Nice value of the BLS verification threads: the main thread gets ~10x their CPU share when contended. */
export const VERIFY_THREAD_NICE = 10;
/** Nice value of mining threads: they take only what nothing else wants. */
export const MINER_THREAD_NICE = 19;

/** True when the calling thread's nice value was set. Never throws: a refused change only costs latency. */
export function setThisThreadNice(nice: number): boolean {
  if (isMainThread || process.platform !== 'linux') return false;
  try {
    setPriority(0, nice);
    return true;
  } catch {
    return false;
  }
}
