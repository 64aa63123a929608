/**
 * The block's aggregate signature rule (src/protocol/rules/signature.ts).
 */
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../../../../src/crypto/interface.js';
import type { Bls } from '../../../../src/crypto/interface.js';
import { nobleBls } from '../../../../src/crypto/noble.js';
import { blockTxids } from '../../../../src/protocol/block.js';
import type { Block } from '../../../../src/protocol/block.js';
import { bytesEqual } from '../../../../src/protocol/bytes.js';
import { OurCoinError } from '../../../../src/errors.js';
import { devnet, regtest } from '../../../../src/protocol/networks.js';
import { checkBlockBody } from '../../../../src/protocol/rules/body.js';
import type { RuleCodeValue } from '../../../../src/protocol/rules/codes.js';
import { verifyBlockSignature } from '../../../../src/protocol/rules/signature.js';
import { aggregateSignature, signTransfer } from '../../../../src/protocol/signing.js';
import { transferTxid } from '../../../../src/protocol/transaction.js';
import { transfer } from '../../../helpers/builder.js';
import { g1CompressedWithX } from '../../../helpers/curvePoints.js';
import { alice, blockOf, bob, carol, expectRule, signedBlock } from '../../../helpers/rules.js';

function transferTxidsOf(block: Block): Uint8Array[] {
  return blockTxids(block).slice(1);
}

// ---------------------------------------------------------------- signature

describe('verifyBlockSignature', () => {
  const a0 = transfer(alice, bob.address, 5n, 0);
  const a1 = transfer(alice, carol.address, 6n, 1);
  const b0 = transfer(bob, carol.address, 7n, 0);
  const c0 = transfer(carol, alice.address, 8n, 0);
  const signed = [a0, a1, b0];
  const block = signedBlock(signed);
  const verify = (b: Block, bls: Bls = blstBls): void => verifyBlockSignature(b, transferTxidsOf(b), bls);
  const withAggregate = (b: Block, aggregate: Uint8Array): Block => blockOf(b.transactions, { aggregate });

  it('accepts a block whose aggregate covers exactly its transfers (one sender twice is fine)', () => {
    expect(() => checkBlockBody(block, regtest)).not.toThrow();
    expect(() => verify(block)).not.toThrow();
    expect(() => verify(signedBlock([c0]))).not.toThrow();
    // Aggregation is a sum: the order of the signatures does not matter.
    expect(() =>
      verify(signedBlock(signed, aggregateSignature([b0.signature, a0.signature, a1.signature], blstBls))),
    ).not.toThrow();
  });

  it('zero transfers: the infinity aggregate passes, anything else is BLOCK_BAD_EMPTY_SIGNATURE', () => {
    const empty = blockOf([]);
    expect(() => verify(empty)).not.toThrow();
    const nonCanonicalInfinity = new Uint8Array(SIGNATURE_LENGTH);
    nonCanonicalInfinity[0] = 0xe0;
    const infinityWithBit = INFINITY_SIGNATURE.slice();
    infinityWithBit[95] = 1;
    for (const aggregate of [
      a0.signature,
      block.aggregateSignature,
      nonCanonicalInfinity,
      infinityWithBit,
      new Uint8Array(SIGNATURE_LENGTH),
    ]) {
      expectRule(() => verify(blockOf([], { aggregate })), 'BLOCK_BAD_EMPTY_SIGNATURE');
    }
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a forged aggregate of other signatures', () => {
    const other = transfer(alice, bob.address, 5n, 7);
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([other.signature, a1.signature, b0.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([c0.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    // A valid signature of one transfer alone is not the aggregate of three.
    expectRule(() => verify(withAggregate(block, a0.signature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    // Not a curve point at all.
    expectRule(
      () => verify(withAggregate(block, new Uint8Array(SIGNATURE_LENGTH).fill(0xaa))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: an aggregate covering one transfer fewer or one more', () => {
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([a0.signature, a1.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expectRule(
      () =>
        verify(
          withAggregate(
            block,
            aggregateSignature(
              [...signed, c0].map((s) => s.signature),
              blstBls,
            ),
          ),
        ),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: the infinity aggregate with transfers', () => {
    expectRule(() => verify(withAggregate(block, INFINITY_SIGNATURE)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
  });

  it('TX_BAD_PUBLIC_KEY: the G1 infinity point, a point off the curve, a point outside the subgroup', () => {
    const infinityKey = new Uint8Array(PUBLIC_KEY_LENGTH);
    infinityKey[0] = 0xc0;
    const offCurve = g1CompressedWithX(false);
    const offSubgroup = g1CompressedWithX(true);
    for (const pk of [infinityKey, offCurve, offSubgroup]) {
      const forged = { ...c0.tx, senderPublicKey: pk };
      // The aggregate is irrelevant: the key is refused first.
      expectRule(() => verify(blockOf([forged], { aggregate: c0.signature })), 'TX_BAD_PUBLIC_KEY');
      expectRule(() => verify(blockOf([a0.tx, forged], { aggregate: INFINITY_SIGNATURE })), 'TX_BAD_PUBLIC_KEY');
    }
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a signature made over another chain id', () => {
    const devTx = transfer(alice, bob.address, 5n, 0, 1000n, devnet);
    const regTx = { ...devTx.tx, chainId: regtest.chainId };
    const b = blockOf([regTx], { aggregate: devTx.signature });
    expect(() => checkBlockBody(b, regtest)).not.toThrow();
    expectRule(() => verify(b), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    // The devnet transfer with its own signature is fine on its own terms.
    expect(() =>
      verifyBlockSignature(
        blockOf([devTx.tx], { network: devnet, aggregate: devTx.signature }),
        [transferTxid(devTx.tx)],
        blstBls,
      ),
    ).not.toThrow();
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a transfer moved to another block with the old aggregate', () => {
    const blockA = signedBlock([a0, b0]);
    const blockB = signedBlock([b0, c0]); // b0 also appears in B, correctly re-aggregated
    expect(() => verify(blockA)).not.toThrow();
    expect(() => verify(blockB)).not.toThrow();
    expectRule(() => verify(withAggregate(blockB, blockA.aggregateSignature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    expectRule(() => verify(withAggregate(blockA, blockB.aggregateSignature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
  });

  it('uses the txids it is given: a wrong txid list fails', () => {
    const txids = transferTxidsOf(block);
    // Pairs alice's key with bob's transfer and vice versa. (Swapping a0 and a1 would not fail:
    // both are alice's, so the set of (key, message) pairs, and thus the sum, is unchanged.)
    expectRule(
      () => verifyBlockSignature(block, [txids[2]!, txids[1]!, txids[0]!], blstBls),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expect(() => verifyBlockSignature(block, [txids[1]!, txids[0]!, txids[2]!], blstBls)).not.toThrow();
  });

  it('gives the same verdicts with the noble backend (small blocks)', () => {
    const small = signedBlock([a0, b0]);
    const single = signedBlock([c0]);
    const infinityKey = new Uint8Array(PUBLIC_KEY_LENGTH);
    infinityKey[0] = 0xc0;
    const cases: Array<[string, Block, RuleCodeValue | 'ok']> = [
      ['valid 2', small, 'ok'],
      ['valid 1', single, 'ok'],
      ['empty', blockOf([]), 'ok'],
      ['empty with a signature', blockOf([], { aggregate: c0.signature }), 'BLOCK_BAD_EMPTY_SIGNATURE'],
      ['aggregate of another block', withAggregate(small, single.aggregateSignature), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      ['one signature fewer', withAggregate(small, a0.signature), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      [
        'one signature more',
        withAggregate(small, aggregateSignature([a0.signature, b0.signature, c0.signature], blstBls)),
        'BLOCK_BAD_AGGREGATE_SIGNATURE',
      ],
      ['infinity aggregate', withAggregate(small, INFINITY_SIGNATURE), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      [
        'infinity key',
        blockOf([{ ...c0.tx, senderPublicKey: infinityKey }], { aggregate: c0.signature }),
        'TX_BAD_PUBLIC_KEY',
      ],
      [
        'key off the curve',
        blockOf([{ ...c0.tx, senderPublicKey: g1CompressedWithX(false) }], { aggregate: c0.signature }),
        'TX_BAD_PUBLIC_KEY',
      ],
    ];
    const verdict = (b: Block, bls: Bls): string => {
      try {
        verify(b, bls);
        return 'ok';
      } catch (err) {
        if (err instanceof OurCoinError) return `${err.code}/${err.kind}`;
        throw err;
      }
    };
    for (const [name, b, expected] of cases) {
      const want = expected === 'ok' ? 'ok' : `${expected}/consensus`;
      expect(verdict(b, blstBls), `blst: ${name}`).toBe(want);
      expect(verdict(b, nobleBls), `noble: ${name}`).toBe(want);
    }
    // noble signs the same bytes as blst (deterministic BLS).
    const nobleSigned = signTransfer(a0.tx, alice.secretKey, nobleBls);
    expect(bytesEqual(nobleSigned.signature, a0.signature)).toBe(true);
  });
});
