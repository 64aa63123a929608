/**
 * The peer-to-peer network's public face.
 */
import type { BlockSink, ChainReader } from '../chain/interface.js';
import type { CodeOf } from '../errors.js';
import type { TransferPool } from '../mempool/interface.js';
import type { NetworkParams } from '../protocol/networks.js';

/** Errors about peers and this node's peer identity. */
export const PeerErrorCode = {
  keyInvalid: 'PEER_KEY_INVALID',
  wrongNetwork: 'PEER_WRONG_NETWORK',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    peer: CodeOf<typeof PeerErrorCode>;
  }
}

/** What the network needs of the node: the chain and the mempool behind their ports. */
export interface NetworkServices {
  readonly network: NetworkParams;
  readonly chain: ChainReader & BlockSink;
  readonly pool: TransferPool;
}
