/** Worker thread: the block signature rule on blocks posted by `SignaturePrechecker`. */
import { useNativeSha256 } from '../crypto/nativeSha256.js';
import { serveJobs } from '../workers/pool.js';
import { signatureVerdict } from './signaturePrecheck.js';

useNativeSha256();
serveJobs(signatureVerdict);
