/**
 * n-of-n keys with Boneh-Drijvers-Neven coefficients (src/crypto/group/bdn.ts): the combined
 * signature is an ordinary one under apk, and a rogue key that defeats plain key addition
 * gains its owner nothing here.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import { aggregatePublicKey, bdnCoefficients, bdnCombine } from '../../../../src/crypto/group/bdn.js';
import { GroupErrorCode } from '../../../../src/crypto/group/interface.js';
import { POP_DST, nobleBls } from '../../../../src/crypto/noble.js';
import { testKey, utf8 } from '../../../helpers/bls.js';
import { expectGroupError } from '../../../helpers/group.js';

const G1 = bls12_381.G1.Point;
const sigs = bls12_381.longSignatures;
const message = utf8('ourcoin BDN transfer');
const keys = [testKey(31), testKey(32), testKey(33)];
const pks = keys.map((k) => nobleBls.secretKeyToPublicKey(k));

describe('BDN n-of-n aggregation', () => {
  it('3-of-3: the combined signature verifies under apk in noble and blst', () => {
    const apk = aggregatePublicKey(pks);
    const sig = bdnCombine(
      pks,
      keys.map((k) => nobleBls.sign(k, message)),
    );
    expect(nobleBls.verify(apk, message, sig)).toBe(true);
    expect(blstBls.verify(apk, message, sig)).toBe(true);
    expect(nobleBls.verify(apk, utf8('another transfer'), sig)).toBe(false);
    // Two of three signatures are not enough: the third's term is missing.
    const twoOnly = bdnCombine(pks.slice(0, 2), [nobleBls.sign(keys[0]!, message), nobleBls.sign(keys[1]!, message)]);
    expect(blstBls.verify(apk, message, twoOnly)).toBe(false);
  });

  it('every signer derives the same coefficients and apk whatever order it got the keys in', () => {
    const a = bdnCoefficients(pks);
    const reordered = [pks[2]!, pks[0]!, pks[1]!];
    expect(bdnCoefficients(reordered)).toEqual([a[2], a[0], a[1]]);
    expect(aggregatePublicKey(reordered)).toEqual(aggregatePublicKey(pks));
    // The coefficients depend on the whole set: adding a key changes everyone's.
    expect(bdnCoefficients([...pks, nobleBls.secretKeyToPublicKey(testKey(34))]).slice(0, 3)).not.toEqual(a);
    // And apk is not the plain sum.
    const plain = pks.reduce((s, pk) => s.add(G1.fromBytes(pk)), G1.ZERO).toBytes(true);
    expect(aggregatePublicKey(pks)).not.toEqual(plain);
  });

  it('a rogue key (x*G - pk_1 - pk_2) signs alone under plain addition, but not under BDN', () => {
    const x = 0x1234567890abcdefn;
    const rogue = G1.BASE.multiply(x).subtract(G1.fromBytes(pks[0]!)).subtract(G1.fromBytes(pks[1]!)).toBytes(true);
    const group = [pks[0]!, pks[1]!, rogue];
    const h = sigs.hash(message, POP_DST);
    const forged = sigs.Signature.toBytes(h.multiply(x));

    // Plain addition: the sum is x*G, whose secret the attacker knows; one signature suffices.
    const plainSum = group.reduce((s, pk) => s.add(G1.fromBytes(pk)), G1.ZERO).toBytes(true);
    expect(plainSum).toEqual(G1.BASE.multiply(x).toBytes(true));
    expect(nobleBls.verify(plainSum, message, forged)).toBe(true);
    expect(blstBls.verify(plainSum, message, forged)).toBe(true);

    // BDN: apk = a1 pk1 + a2 pk2 + a3 (xG - pk1 - pk2); the attacker knows no discrete log of it.
    const apk = aggregatePublicKey(group);
    const [, , a3] = bdnCoefficients(group) as [bigint, bigint, bigint];
    const attempts: Uint8Array[] = [forged, sigs.Signature.toBytes(h.multiply(bls12_381.fields.Fr.mul(a3, x)))];
    // What he can sign with his x, combined as BDN says (with his own share of the "keys").
    attempts.push(bdnCombine(group, [forged, forged, forged]));
    for (const attempt of attempts) {
      expect(nobleBls.verify(apk, message, attempt)).toBe(false);
      expect(blstBls.verify(apk, message, attempt)).toBe(false);
    }
  });

  it('refuses duplicate keys, infinity, invalid points, an empty set and a count mismatch', () => {
    expectGroupError(() => aggregatePublicKey([pks[0]!, pks[1]!, pks[0]!]), GroupErrorCode.duplicateKey, /key 3/);
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    expectGroupError(
      () => aggregatePublicKey([pks[0]!, infinity]),
      GroupErrorCode.invalidKey,
      /key 2 is the point at infinity/,
    );
    const offCurve = new Uint8Array(48);
    offCurve[0] = 0x80;
    offCurve[47] = 1;
    expectGroupError(() => bdnCoefficients([offCurve]), GroupErrorCode.invalidKey, /key 1 is not a valid/);
    expectGroupError(() => aggregatePublicKey([]), GroupErrorCode.emptyGroup);
    expectGroupError(() => bdnCombine(pks, [nobleBls.sign(keys[0]!, message)]), GroupErrorCode.lengthMismatch);
    const sigInfinity = new Uint8Array(96);
    sigInfinity[0] = 0xc0;
    const signatures = keys.map((k) => nobleBls.sign(k, message));
    signatures[1] = sigInfinity;
    expectGroupError(() => bdnCombine(pks, signatures), GroupErrorCode.badPartial, /signature 2/);
  });
});
