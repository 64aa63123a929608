/** Worker thread: verifies batches of signatures posted by `WorkerBatchVerifier`. */
import { serveJobs } from '../workers/pool.js';
import { verifyBatch } from './verifyBatch.js';
import type { VerifyItem } from './verifyBatch.js';

serveJobs<readonly VerifyItem[], boolean[]>(verifyBatch);
