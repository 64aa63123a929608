/**
 * Fixed-seed vectors for group keys: a dealer's 2-of-3 split and a BDN aggregate, checked into
 * test/fixtures/group/vectors.json and quoted in docs/multisig.md ("Vectors"). The fixture was
 * written by this file's own code path on first design: run with WRITE_GROUP_VECTORS=1 to
 * write it again after a deliberate change (and update the doc's values).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import {
  BDN_COEFFICIENT_DST,
  aggregatePublicKey,
  bdnCoefficients,
  bdnCombine,
} from '../../../../src/crypto/group/bdn.js';
import { combinePartials, dealerSplit, signPartial } from '../../../../src/crypto/group/threshold.js';
import { nobleBls } from '../../../../src/crypto/noble.js';
import { testKey, utf8 } from '../../../helpers/bls.js';
import { seededRandom } from '../../../helpers/group.js';

const fixture = new URL('../../../fixtures/group/vectors.json', import.meta.url);
const doc = readFileSync(new URL('../../../../docs/multisig.md', import.meta.url), 'utf8');
const hex = (b: Uint8Array): string => bytesToHex(b);

function compute() {
  const message = utf8('ourcoin group vectors');
  const secretKey = testKey(1);
  const split = dealerSplit(secretKey, 2, 3, seededRandom('ourcoin-group-vectors/dealer'));
  const partials = split.shares.map((s) => signPartial(s, message));
  const keys = [testKey(2), testKey(3), testKey(4)];
  const publicKeys = keys.map((k) => nobleBls.secretKeyToPublicKey(k));
  return {
    message: hex(message),
    dealer: {
      randomSeed: 'ourcoin-group-vectors/dealer',
      secretKey: hex(secretKey),
      threshold: split.threshold,
      participants: split.shares.length,
      groupKey: hex(split.groupKey),
      commitments: split.commitments.map(hex),
      shares: split.shares.map((s) => hex(s.secretKey)),
      publicShares: split.publicShares.map(hex),
      partials: partials.map((p) => hex(p.signature)),
      signature12: hex(combinePartials([partials[0]!, partials[1]!], 2)),
    },
    bdn: {
      dst: BDN_COEFFICIENT_DST,
      secretKeys: keys.map(hex),
      publicKeys: publicKeys.map(hex),
      coefficients: bdnCoefficients(publicKeys).map((a) => a.toString(16).padStart(64, '0')),
      aggregatePublicKey: hex(aggregatePublicKey(publicKeys)),
      signature: hex(
        bdnCombine(
          publicKeys,
          keys.map((k) => nobleBls.sign(k, message)),
        ),
      ),
    },
  };
}

type Vectors = ReturnType<typeof compute>;

describe('group-key vectors (test/fixtures/group/vectors.json)', () => {
  const actual = compute();
  if (process.env.WRITE_GROUP_VECTORS === '1') writeFileSync(fixture, JSON.stringify(actual, null, 2) + '\n');
  const expected = JSON.parse(readFileSync(fixture, 'utf8')) as Vectors;

  it('the code reproduces the checked-in vectors byte for byte', () => {
    expect(actual).toEqual(expected);
  });

  it("the vectors are real: both signatures verify in blst, and the 2-of-3 one is the key's own", () => {
    const m = Buffer.from(expected.message, 'hex');
    const { dealer, bdn } = expected;
    expect(blstBls.verify(Buffer.from(dealer.groupKey, 'hex'), m, Buffer.from(dealer.signature12, 'hex'))).toBe(true);
    expect(dealer.signature12).toBe(hex(blstBls.sign(Buffer.from(dealer.secretKey, 'hex'), m)));
    expect(blstBls.verify(Buffer.from(bdn.aggregatePublicKey, 'hex'), m, Buffer.from(bdn.signature, 'hex'))).toBe(true);
  });

  it('docs/multisig.md quotes the group key, the first share, the BDN coefficients and apk', () => {
    for (const value of [
      expected.dealer.groupKey,
      expected.dealer.shares[0]!,
      expected.dealer.commitments[1]!,
      expected.bdn.aggregatePublicKey,
      ...expected.bdn.coefficients,
    ])
      expect(doc).toContain(value);
  });
});
