/** Worker thread of the BLS verification service (multithread.ts): runs each job it is sent. */
import { serveJobs } from '../../workers/pool.js';
import { VERIFY_THREAD_NICE, setThisThreadNice } from '../../workers/threadPriority.js';
import { runBlsJob } from './maybeBatch.js';
import type { BlsJob, BlsJobResult } from './maybeBatch.js';

setThisThreadNice(VERIFY_THREAD_NICE);
serveJobs<BlsJob, BlsJobResult>(runBlsJob);
