/**
 * Starts a worker thread from a sibling module, whether the code runs from TypeScript
 * sources (tsx, vitest) or from compiled JavaScript (dist/).
 *
 * Compiled: `<name>.js` next to the caller. From sources: `<name>.ts` behind a tiny data: URL
 * module that registers tsx's loader in the new thread first, because Node 20 ignores loader
 * flags such as `--import tsx` in a Worker's execArgv (nodejs/node#47747). When the file of
 * the caller's own flavour is missing, the other one is used.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

export function workerEntry(fromModule: string, name: string): URL {
  const order = fromModule.endsWith('.ts') ? ['ts', 'js'] : ['js', 'ts'];
  const ext = order.find((e) => existsSync(fileURLToPath(new URL(`./${name}.${e}`, fromModule)))) ?? order[0]!;
  const url = new URL(`./${name}.${ext}`, fromModule);
  if (ext === 'js') return url;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `const { register } = await import(${JSON.stringify(tsxApi)});\nregister();\nawait import(${JSON.stringify(url.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/** `fromModule` is the caller's `import.meta.url`; `name` the worker module without extension. */
export function startWorker(fromModule: string, name: string, options?: WorkerOptions): Worker {
  return new Worker(workerEntry(fromModule, name), options);
}
