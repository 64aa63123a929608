/**
 * t-of-n threshold BLS from a dealer (src/crypto/group/threshold.ts): any t partials combine to
 * an ordinary signature both backends accept under the group key; t - 1 never do; bad partials
 * and foreign shares are named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import { GroupErrorCode } from '../../../../src/crypto/group/interface.js';
import {
  checkShare,
  combinePartials,
  combineVerifiedPartials,
  dealerSplit,
  publicSharesFromCommitments,
  signPartial,
  verifyPartial,
} from '../../../../src/crypto/group/threshold.js';
import { nobleBls } from '../../../../src/crypto/noble.js';
import { expectGroupError, groupAndSigners, seededRandom } from '../../../helpers/group.js';
import { testKey, utf8 } from '../../../helpers/bls.js';

const message = utf8('ourcoin group transfer');

describe('dealer split (t-of-n)', () => {
  it('property: any t of n partials combine to a signature noble and blst accept; t - 1 never do', () => {
    fc.assert(
      fc.property(groupAndSigners, ({ n, t, signers, seed }) => {
        const key = testKey(seed % 1000);
        const split = dealerSplit(key, t, n, seededRandom(`dealer-${seed}`));
        expect(split.groupKey).toEqual(blstBls.secretKeyToPublicKey(key));
        expect(split.publicShares).toEqual(publicSharesFromCommitments(split.commitments, n));
        const partials = signers.map((i) => signPartial(split.shares[i - 1]!, message));
        const sig = combinePartials(partials, t);
        expect(nobleBls.verify(split.groupKey, message, sig)).toBe(true);
        expect(blstBls.verify(split.groupKey, message, sig)).toBe(true);
        // BLS is deterministic: the combination IS the signature of the original key.
        expect(sig).toEqual(blstBls.sign(key, message));
        if (t >= 2) {
          const fewer = partials.slice(0, t - 1);
          expectGroupError(() => combinePartials(fewer, t), GroupErrorCode.notEnoughPartials);
          // Interpolating t - 1 points anyway gives a value of another polynomial, not the key's signature.
          const wrong = combinePartials(fewer, t - 1);
          expect(nobleBls.verify(split.groupKey, message, wrong)).toBe(false);
          expect(blstBls.verify(split.groupKey, message, wrong)).toBe(false);
        }
      }),
      { numRuns: 20 },
    );
  });

  const split = dealerSplit(testKey(7), 2, 3, seededRandom('2-of-3'));
  const partial = (i: number, m = message) => signPartial(split.shares[i - 1]!, m);

  it('2-of-3: every pair signs, in either order; each share verifies against the commitments', () => {
    for (const [a, b] of [
      [1, 2],
      [2, 3],
      [3, 1],
    ] as const) {
      const sig = combineVerifiedPartials(split, message, [partial(a), partial(b)]);
      expect(blstBls.verify(split.groupKey, message, sig)).toBe(true);
    }
    for (const share of split.shares) checkShare(share, split.commitments);
    expect(verifyPartial(split.publicShares[0]!, message, partial(1).signature)).toBe(true);
    expect(verifyPartial(split.publicShares[1]!, message, partial(1).signature)).toBe(false);
  });

  it('a tampered partial is refused, naming its participant', () => {
    const good = partial(2);
    // Another valid G2 point (the negation: flip the sort flag), so only the pairing check can tell.
    const tampered = { index: 2, signature: Uint8Array.from(good.signature, (b, k) => (k === 0 ? b ^ 0x20 : b)) };
    expectGroupError(
      () => combineVerifiedPartials(split, message, [partial(1), tampered]),
      GroupErrorCode.badPartial,
      /participant 2's partial/,
    );
    // Without the per-partial check the sum is simply a bad signature: nobody is named.
    expect(blstBls.verify(split.groupKey, message, combinePartials([partial(1), tampered], 2))).toBe(false);
    const garbage = { index: 3, signature: new Uint8Array(96).fill(7) };
    expectGroupError(() => combinePartials([partial(1), garbage], 2), GroupErrorCode.badPartial, /participant 3/);
  });

  it('a partial for another message is refused, naming its participant', () => {
    const other = partial(3, utf8('another transfer'));
    expectGroupError(
      () => combineVerifiedPartials(split, message, [partial(1), other]),
      GroupErrorCode.badPartial,
      /participant 3's partial/,
    );
  });

  it("a share from another group: its partial is refused, and so is the share against this group's commitments", () => {
    const otherGroup = dealerSplit(testKey(8), 2, 3, seededRandom('other group'));
    const foreign = signPartial(otherGroup.shares[1]!, message);
    expectGroupError(
      () => combineVerifiedPartials(split, message, [partial(1), foreign]),
      GroupErrorCode.badPartial,
      /participant 2's partial/,
    );
    expectGroupError(
      () => checkShare(otherGroup.shares[1]!, split.commitments),
      GroupErrorCode.badShare,
      /participant 2's share/,
    );
    // A share presented under the wrong index fails too: the index is its x-coordinate.
    expectGroupError(
      () => checkShare({ index: 3, secretKey: split.shares[1]!.secretKey }, split.commitments),
      GroupErrorCode.badShare,
      /participant 3/,
    );
  });

  it('refuses fewer than t partials, duplicates, unknown participants and a bad threshold', () => {
    expectGroupError(() => combineVerifiedPartials(split, message, [partial(1)]), GroupErrorCode.notEnoughPartials);
    expectGroupError(
      () => combineVerifiedPartials(split, message, [partial(1), partial(1)]),
      GroupErrorCode.duplicateIndex,
      /participant 1/,
    );
    expectGroupError(
      () => combinePartials([partial(2), partial(2)], 2),
      GroupErrorCode.duplicateIndex,
      /participant 2/,
    );
    const stranger = { index: 4, signature: partial(1).signature };
    expectGroupError(
      () => combineVerifiedPartials(split, message, [partial(1), stranger]),
      GroupErrorCode.unknownParticipant,
      /participant 4/,
    );
    expectGroupError(() => combinePartials([{ ...partial(1), index: 0 }, partial(2)], 2), GroupErrorCode.invalidIndex);
    expectGroupError(() => dealerSplit(testKey(7), 4, 3), GroupErrorCode.invalidThreshold);
    expectGroupError(() => dealerSplit(testKey(7), 0, 3), GroupErrorCode.invalidThreshold);
  });

  it('a descriptor whose public shares belong to another key is reported as inconsistent', () => {
    const otherGroup = dealerSplit(testKey(8), 2, 3, seededRandom('other group'));
    const mixed = { ...split, groupKey: otherGroup.groupKey };
    expectGroupError(
      () => combineVerifiedPartials(mixed, message, [partial(1), partial(2)]),
      GroupErrorCode.inconsistentGroup,
    );
  });
});
