/**
 * The node's public face: its error codes. The node itself is built in fullNode.ts.
 */
import type { CodeOf } from '../errors.js';

/** Errors of starting a node: its sockets. */
export const NodeErrorCode = {
  apiListenFailed: 'API_LISTEN_FAILED',
  p2pStartFailed: 'P2P_START_FAILED',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    node: CodeOf<typeof NodeErrorCode>;
  }
}
