/**
 * What a peer's message costs it: one table from a failure's verdict kind (see ErrorKind in
 * src/errors.ts) to a score penalty and a gossip validation result, used by both gossip
 * topics and by sync; and the penalty itself (score, ban, disconnect).
 *
 * Only a broken rule is the sender's fault: conflicts with our state or pool, our policy, a
 * full pool, "not yet" and "busy" (our signature queue for that peer is full: MEMPOOL_BUSY)
 * are normal for honest relays, cost nothing and are ignored (not forwarded, not held against
 * the sender by gossipsub either).
 */
import { TopicValidatorResult } from '@libp2p/interface';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from 'pino';
import { ChainErrorCode } from '../chain/interface.js';
import { OurCoinError } from '../errors.js';
import type { ErrorCode, ErrorKind } from '../errors.js';
import { PeerErrorCode } from './interface.js';
import type { PeerMetrics } from './interface.js';
import type { PeerBook } from './peerBook.js';
import { Penalty } from './peerBook.js';

/**
 * What was refused: bytes that do not decode as the message they claim to be (`wire`, the
 * sender's fault whatever the decoder said), a transfer, or a block (or its header).
 */
export type Subject = 'wire' | 'transfer' | 'block';

export interface Verdict {
  readonly penalty: number;
  /** Reject when the sender broke a rule (gossipsub then scores it too), else Ignore. */
  readonly result: TopicValidatorResult;
}

const PENALTIES: Readonly<Record<Exclude<Subject, 'wire'>, Partial<Record<ErrorKind, number>>>> = {
  transfer: {
    consensus: Penalty.invalidTransaction,
    crypto: Penalty.invalidTransaction,
    encoding: Penalty.invalidTransaction,
    // Our signature queue for this peer is full (MEMPOOL_BUSY): relaying broke no rule.
    busy: 0,
  },
  block: {
    consensus: Penalty.invalidBlock,
    crypto: Penalty.invalidBlock,
    // The body does not match its header: the relayer's doing, but the header may be fine.
    mutated: Penalty.mutatedBlock,
    encoding: Penalty.mutatedBlock,
  },
};

/**
 * Codes that cost more than their kind: a block on a branch lighter than our tip broke no
 * rule (policy), but sending it unasked costs us a stored body's worth of checks.
 */
const CODE_PENALTIES: Partial<Record<ErrorCode, number>> = {
  [ChainErrorCode.forkTooLight]: Penalty.unrequested,
};

export function verdictOf(subject: Subject, kind: ErrorKind, code?: ErrorCode): Verdict {
  const byCode = code === undefined ? undefined : CODE_PENALTIES[code];
  const penalty = subject === 'wire' ? Penalty.malformedMessage : (byCode ?? PENALTIES[subject][kind] ?? 0);
  return { penalty, result: penalty > 0 ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore };
}

/** The code and kind of a decoding failure (decoders throw OurCoinErrors of kind encoding). */
export function codeOf(err: unknown): { code: ErrorCode; kind: ErrorKind } {
  return err instanceof OurCoinError
    ? { code: err.code, kind: err.kind }
    : { code: PeerErrorCode.undecodable, kind: 'encoding' };
}

/** Lowers a peer's score by `amount`; at the ban threshold it is banned and disconnected. */
export type Penalize = (peer: PeerId | string, amount: number, why: string) => void;

export function penalizer(book: PeerBook, libp2p: Libp2p, logger: Logger, metrics?: PeerMetrics): Penalize {
  return (peer, amount, why) => {
    const id = peer.toString();
    logger.info({ peer: id, penalty: amount, why }, 'peer penalised');
    const banned = book.penalize(id, amount);
    metrics?.penalized(banned);
    if (banned) {
      logger.warn({ peer: id, why }, 'peer banned');
      void libp2p.hangUp(typeof peer === 'string' ? multiaddr(`/p2p/${peer}`) : peer).catch(() => undefined);
    }
  };
}
