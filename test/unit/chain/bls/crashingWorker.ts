/**
 * The BLS service's worker (src/chain/bls/worker.ts) with a way to die mid-job, for the crash
 * tests: a transfer set whose message is `crash-always` ends the thread every time; one whose
 * message is `crash-once:<dir>` ends it only when it is the first to create <dir> (so the
 * retry, on a fresh thread, gets a verdict).
 */
import { mkdirSync } from 'node:fs';
import { runBlsJob } from '../../../../src/chain/bls/maybeBatch.js';
import type { BlsJob, BlsJobResult } from '../../../../src/chain/bls/maybeBatch.js';
import { serveJobs } from '../../../../src/workers/pool.js';

function firstToCreate(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

serveJobs<BlsJob, BlsJobResult>((job) => {
  for (const set of job.kind === 'transfers' ? job.sets : []) {
    const text = new TextDecoder().decode(set.message);
    if (text === 'crash-always') process.exit(3);
    if (text.startsWith('crash-once:') && firstToCreate(text.slice('crash-once:'.length))) process.exit(3);
  }
  return runBlsJob(job);
});
