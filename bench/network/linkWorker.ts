/**
 * The link thread of links.ts: holds every relay of a simulated network and answers the
 * simulator's requests (open relays, set delays, read the byte counts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setThisThreadNice } from '../../src/workers/threadPriority.js';
import { Links } from './links.js';
import type { LinkOptions, LinkReply, LinkRequest } from './links.js';

/**
 * The links stand in for the network, which does not wait for a core: on a saturated machine
 * this one thread, carrying every link, would otherwise queue behind the 100 node processes
 * as their equal and add its wait to every hop. It needs little CPU (0.02-0.07 cores at 50
 * and 100 nodes). Refused without root or CAP_SYS_NICE; the links then run at the default.
 */
const LINK_THREAD_NICE = -10;

const port = parentPort;
if (!port) throw new Error('linkWorker must run in a worker thread');
setThisThreadNice(LINK_THREAD_NICE);
const links = new Links(workerData as LinkOptions);
let opened = 0;

port.on('message', (req: LinkRequest) => {
  const reply = (r: Omit<LinkReply, 'id'>): void => port.postMessage({ ...r, id: req.id });
  const run = async (): Promise<void> => {
    switch (req.type) {
      case 'open': {
        const ports = await Promise.all(
          req.links.map((l, i) => links.open(opened + i, l.from, l.to, l.targetPort, l.delayMs)),
        );
        opened += req.links.length;
        return reply({ ports });
      }
      case 'delays':
        links.setDelays(req.delays);
        return reply({});
      case 'stats':
        return reply({ stats: links.stats() });
    }
  };
  run().catch((err: unknown) => reply({ error: String(err) }));
});
