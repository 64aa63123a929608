/**
 * What a refused gossip message costs its sender (src/network/scoring.ts): a broken rule is
 * penalised and rejected; our own state, policy or load (MEMPOOL_BUSY) costs nothing.
 */
import { TopicValidatorResult } from '@libp2p/interface';
import { describe, expect, it } from 'vitest';
import { ChainErrorCode } from '../../../src/chain/interface.js';
import { MEMPOOL_VERDICTS } from '../../../src/mempool/interface.js';
import { Penalty } from '../../../src/network/peerBook.js';
import { verdictOf } from '../../../src/network/scoring.js';

describe('verdictOf', () => {
  it('ignores a transfer refused because we are busy, without a penalty', () => {
    expect(verdictOf('transfer', MEMPOOL_VERDICTS.MEMPOOL_BUSY)).toEqual({
      penalty: 0,
      result: TopicValidatorResult.Ignore,
    });
  });

  it('still penalises and rejects a transfer with a bad signature', () => {
    const verdict = verdictOf('transfer', MEMPOOL_VERDICTS.TX_BAD_SIGNATURE);
    expect(verdict.penalty).toBeGreaterThan(0);
    expect(verdict.result).toBe(TopicValidatorResult.Reject);
  });

  it('penalises the relayer for a bad key or signature only, never for a MEMPOOL_* refusal', () => {
    const verdicts = Object.entries(MEMPOOL_VERDICTS).map(([code, kind]) => [code, verdictOf('transfer', kind)]);
    expect(Object.fromEntries(verdicts)).toEqual({
      MEMPOOL_FEE_TOO_LOW: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_DUPLICATE: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_ALREADY_CONFIRMED: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_NONCE_TOO_LOW: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_NONCE_TOO_HIGH: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_REPLACEMENT_FEE_TOO_LOW: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_TOO_MANY_REPLACEMENTS: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_INSUFFICIENT_BALANCE: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_FULL: { penalty: 0, result: TopicValidatorResult.Ignore },
      MEMPOOL_BUSY: { penalty: 0, result: TopicValidatorResult.Ignore },
      TX_BAD_SIGNATURE: { penalty: Penalty.invalidTransaction, result: TopicValidatorResult.Reject },
      TX_BAD_PUBLIC_KEY: { penalty: Penalty.invalidTransaction, result: TopicValidatorResult.Reject },
    });
  });
});

describe('verdictOf with a code', () => {
  it('costs a small penalty for a block on a branch lighter than the tip, though policy', () => {
    expect(verdictOf('block', 'policy')).toEqual({ penalty: 0, result: TopicValidatorResult.Ignore });
    expect(verdictOf('block', 'policy', ChainErrorCode.forkTooLight)).toEqual({
      penalty: Penalty.unrequested,
      result: TopicValidatorResult.Reject,
    });
  });
});
