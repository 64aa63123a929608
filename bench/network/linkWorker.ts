/**
 * The link thread of links.ts: holds every relay of a simulated network and answers the
 * simulator's requests (open relays, set delays, read the byte counts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Links } from './links.js';
import type { LinkOptions, LinkReply, LinkRequest } from './links.js';

const port = parentPort;
if (!port) throw new Error('linkWorker must run in a worker thread');
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
