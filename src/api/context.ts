/**
 * What every route module gets: the node it serves and the peer list source.
 */
import type { OurCoinNode } from '../node/node.js';

export interface ApiContext {
  readonly node: OurCoinNode;
  /** Connected peers, as JSON-ready objects; empty until networking exists. */
  readonly peers: () => unknown[];
}
