/**
 * Starts a worker thread from a sibling module, whether the code runs from TypeScript
 * sources (tsx, vitest) or from compiled JavaScript (dist/): the worker file has the same
 * extension as the module that starts it, and .ts workers load tsx first.
 */
import { Worker } from 'node:worker_threads';

/** `fromModule` is the caller's `import.meta.url`; `name` the worker module without extension. */
export function startWorker(fromModule: string, name: string, workerData?: unknown): Worker {
  const ts = fromModule.endsWith('.ts');
  const url = new URL(`./${name}${ts ? '.ts' : '.js'}`, fromModule);
  return new Worker(url, { workerData, execArgv: ts ? ['--import', 'tsx'] : [] });
}
