/**
 * What the syncer needs of the wire: one request to one peer, answered with frames. Over
 * libp2p it is reqresp.ts's `request` on the network's headers or blocks protocol; in the
 * syncer's unit test, a function that serves a second chain in the same process.
 */
import type { RequestOptions } from '../reqresp.js';

export type SyncProtocol = 'headers' | 'blocks';

/** Sends `payload` to the connected peer `peer` (its id) and returns its response frames. */
export type PeerRequest = (
  peer: string,
  protocol: SyncProtocol,
  payload: Uint8Array,
  limits: RequestOptions,
) => Promise<Uint8Array[]>;

/** Lowers the peer's score (see scoring.ts); the syncer names peers by id. */
export type SyncPenalize = (peer: string, amount: number, why: string) => void;
