/** Worker thread of the BLS verification service (multithread.ts): runs each job it is sent. */
import { serveJobs } from '../../workers/pool.js';
import { runBlsJob } from './maybeBatch.js';
import type { BlsJob, BlsJobResult } from './maybeBatch.js';

serveJobs<BlsJob, BlsJobResult>(runBlsJob);
