/** Test worker: lowers its own priority and reports the result and its nice value. */
import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { setThisThreadNice } from '../../../src/workers/threadPriority.js';

const lowered = setThisThreadNice(7);
parentPort!.postMessage({ lowered, nice: getPriority(0) });
