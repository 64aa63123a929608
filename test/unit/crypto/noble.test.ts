/**
 * The pure-JS noble backend (src/crypto/noble.ts) against blst: byte-identical keys and
 * signatures, aggregates that agree, and fresh keys both accept.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { blstBls, generateSecretKey } from '../../../src/crypto/blst.js';
import { INFINITY_SIGNATURE } from '../../../src/crypto/interface.js';
import { nobleBls } from '../../../src/crypto/noble.js';
import { backends, testKey, utf8 } from '../../helpers/bls.js';

// ---------------------------------------------------------------- cross-backend

describe('cross-backend agreement (blst <-> noble)', () => {
  const N = 5;
  const keys = Array.from({ length: N }, (_, i) => testKey(100 + i));
  const msgs = keys.map((_, i) => utf8(`ourcoin tx ${i}`));

  it('keys and signatures are byte-identical, and each verifies in the other backend', () => {
    const pkB = blstBls.secretKeyToPublicKey(keys[0]!);
    expect(nobleBls.secretKeyToPublicKey(keys[0]!)).toEqual(pkB);
    const sigB = blstBls.sign(keys[0]!, msgs[0]!);
    const sigN = nobleBls.sign(keys[0]!, msgs[0]!);
    expect(sigN).toEqual(sigB); // BLS signing is deterministic, so equal DSTs give equal bytes
    expect(nobleBls.verify(pkB, msgs[0]!, sigB)).toBe(true);
    expect(blstBls.verify(pkB, msgs[0]!, sigN)).toBe(true);
    expect(nobleBls.verify(pkB, msgs[1]!, sigB)).toBe(false);
  });

  it("noble's default tag (NUL) signs differently; only the protocol's POP tag verifies (docs/protocol.md 2)", async () => {
    const { bls12_381 } = await import('@noble/curves/bls12-381.js');
    const { POP_DST } = await import('../../../src/crypto/noble.js');
    const sigs = bls12_381.longSignatures;
    expect(POP_DST).toBe('BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_');
    const pk = blstBls.secretKeyToPublicKey(keys[0]!);
    const withDefault = sigs.sign(sigs.hash(msgs[0]!), keys[0]!).toBytes(true);
    const withPop = sigs.sign(sigs.hash(msgs[0]!, POP_DST), keys[0]!).toBytes(true);
    expect(withPop).toEqual(blstBls.sign(keys[0]!, msgs[0]!));
    expect(withDefault).not.toEqual(withPop);
    for (const backend of [blstBls, nobleBls]) {
      expect(backend.verify(pk, msgs[0]!, withPop)).toBe(true);
      expect(backend.verify(pk, msgs[0]!, withDefault)).toBe(false);
    }
  });

  it('a signature plus its negation aggregates to the infinity point on both (found by fuzzing)', () => {
    const sig = blstBls.sign(keys[0]!, msgs[0]!);
    // Flipping the sort flag of a compressed point gives its negation, a valid point too.
    const negated = Uint8Array.from(sig, (b, i) => (i === 0 ? b ^ 0x20 : b));
    for (const backend of [blstBls, nobleBls]) {
      backend.validateSignature(negated);
      expect(backend.aggregateSignatures([sig, negated])).toEqual(INFINITY_SIGNATURE);
    }
  });

  it(`an aggregate of ${N} signatures over distinct messages agrees, and breaks when a pair is dropped or changed`, () => {
    const pks = keys.map((k) => blstBls.secretKeyToPublicKey(k));
    // Sign with both backends (alternating) so the aggregate mixes their outputs.
    const sigs = keys.map((k, i) => (i % 2 === 0 ? blstBls : nobleBls).sign(k, msgs[i]!));
    const aggB = blstBls.aggregateSignatures(sigs);
    const aggN = nobleBls.aggregateSignatures(sigs);
    expect(aggN).toEqual(aggB);
    for (const bls of backends) {
      expect(bls.aggregateVerify(pks, msgs, aggB), bls.name).toBe(true);
      expect(bls.aggregateVerify(pks.slice(1), msgs.slice(1), aggB), `${bls.name}: pair left out`).toBe(false);
      const changed = [...msgs];
      changed[2] = utf8('ourcoin tx 2 (changed)');
      expect(bls.aggregateVerify(pks, changed, aggB), `${bls.name}: message changed`).toBe(false);
    }
  });

  it('same message signed by two keys (allowed under POP) aggregates and verifies in both', () => {
    const m = utf8('shared message');
    const pks = [keys[0]!, keys[1]!].map((k) => blstBls.secretKeyToPublicKey(k));
    const agg = blstBls.aggregateSignatures([blstBls.sign(keys[0]!, m), blstBls.sign(keys[1]!, m)]);
    for (const bls of backends) expect(bls.aggregateVerify(pks, [m, m], agg), bls.name).toBe(true);
  });

  it('generateSecretKey gives a fresh valid key that both backends accept', () => {
    const a = generateSecretKey();
    const b = generateSecretKey();
    expect(a).toHaveLength(32);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    expect(nobleBls.secretKeyToPublicKey(a)).toEqual(blstBls.secretKeyToPublicKey(a));
  });
});
