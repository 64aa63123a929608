/**
 * The peer-to-peer network's public face.
 */
import type { CodeOf } from '../errors.js';

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
