/**
 * Signing transfers and making a block's aggregate signature.
 *
 * The aggregate is the sum of the transfers' individual signatures (made once, by their
 * senders): a miner never re-signs anything. Zero transfers give the point at infinity.
 */
import type { Bls } from '../crypto/interface.js';
import { INFINITY_SIGNATURE } from '../crypto/interface.js';
import type { SignedTransfer, Transfer } from './transaction.js';
import { signingMessage } from './transaction.js';

export function signTransfer(tx: Transfer, secretKey: Uint8Array, bls: Bls): SignedTransfer {
  return { tx, signature: bls.sign(secretKey, signingMessage(tx)) };
}

export function aggregateSignature(signatures: readonly Uint8Array[], bls: Bls): Uint8Array {
  return signatures.length === 0 ? INFINITY_SIGNATURE.slice() : bls.aggregateSignatures(signatures);
}
