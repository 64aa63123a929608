/**
 * Pedersen's DKG with Feldman commitments (src/crypto/group/dkg.ts): every participant finishes
 * with the same group key and its own share, any t of them sign, and a participant who sends a
 * bad share is named and disqualified.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import {
  dkgEncryptionKeyPair,
  dkgFinish,
  dkgRound1,
  dkgRound2,
  openDkgShare,
  sealDkgShare,
} from '../../../../src/crypto/group/dkg.js';
import type { DkgParticipant, DkgRound1Message, DkgSetup } from '../../../../src/crypto/group/dkg.js';
import { GroupErrorCode } from '../../../../src/crypto/group/interface.js';
import { Fr } from '../../../../src/crypto/group/polynomial.js';
import { combinePartials, combineVerifiedPartials, signPartial } from '../../../../src/crypto/group/threshold.js';
import { nobleBls } from '../../../../src/crypto/noble.js';
import { utf8 } from '../../../helpers/bls.js';
import { expectGroupError, groupAndSigners, seededRandom } from '../../../helpers/group.js';

const message = utf8('ourcoin DKG group transfer');

function group(n: number, t: number, seed: string): { setup: DkgSetup; people: DkgParticipant[] } {
  const random = seededRandom(`${seed}/x25519`);
  const pairs = Array.from({ length: n }, () => dkgEncryptionKeyPair(random));
  return {
    setup: { threshold: t, encryptionKeys: pairs.map((p) => bytesToHex(p.publicKey)) },
    people: pairs.map((p, k) => ({ index: k + 1, encryptionSecretKey: p.secretKey })),
  };
}

/** Messages travel as JSON files: every one goes through a JSON round trip. */
const viaFile = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("Pedersen's DKG (joint-Feldman)", () => {
  it('property: all agree on the group key; any t of n partials verify in noble and blst, t - 1 never', () => {
    fc.assert(
      fc.property(groupAndSigners, ({ n, t, signers, seed }) => {
        const { setup, people } = group(n, t, `dkg-${seed}`);
        const random = seededRandom(`dkg-${seed}/polynomials`);
        const round1 = people.map((p) => viaFile(dkgRound1(setup, p, random)));
        const round2 = people.map((p) => viaFile(dkgRound2(setup, p, round1)));
        expect(round2.every((m) => m.complaints.length === 0)).toBe(true);
        const results = people.map((p) => dkgFinish(setup, p, round1, round2));
        const [first] = results;
        for (const r of results) {
          expect(r.groupKey).toEqual(first!.groupKey);
          expect(r.publicShares).toEqual(first!.publicShares);
          expect(r.qualified).toEqual(people.map((p) => p.index));
          // Each secret share belongs to its public share.
          expect(nobleBls.secretKeyToPublicKey(r.share.secretKey)).toEqual(r.publicShares[r.share.index - 1]);
        }
        const partials = signers.map((i) => signPartial(results[i - 1]!.share, message));
        const sig = combinePartials(partials, t);
        expect(nobleBls.verify(first!.groupKey, message, sig)).toBe(true);
        expect(blstBls.verify(first!.groupKey, message, sig)).toBe(true);
        if (t >= 2) {
          const wrong = combinePartials(partials.slice(0, t - 1), t - 1);
          expect(nobleBls.verify(first!.groupKey, message, wrong)).toBe(false);
          expect(blstBls.verify(first!.groupKey, message, wrong)).toBe(false);
        }
      }),
      { numRuns: 20 },
    );
  });

  describe('2-of-4 with a cheater', () => {
    const { setup, people } = group(4, 2, 'cheater');
    const random = seededRandom('cheater/polynomials');
    const honest = people.map((p) => dkgRound1(setup, p, random));
    // Participant 2 sends participant 3 a share that is not on its committed polynomial,
    // correctly encrypted so only the commitment check can catch it.
    const real = openDkgShare(setup, people[2]!, honest[1]!);
    const badShares = honest[1]!.shares.map((s) =>
      s.to === 3 ? sealDkgShare(setup, people[1]!, 3, Fr.add(real, 1n), random) : s,
    );
    const round1: DkgRound1Message[] = honest.map((m) => (m.from === 2 ? { ...m, shares: badShares } : m));

    it('the recipient refuses the inconsistent share, naming its sender (GROUP_DKG_BAD_SHARE)', () => {
      expectGroupError(
        () => openDkgShare(setup, people[2]!, round1[1]!),
        GroupErrorCode.dkgBadShare,
        /participant 2's share to participant 3/,
      );
      // The others' shares from participant 2 are fine: only 3 can complain.
      expect(() => openDkgShare(setup, people[0]!, round1[1]!)).not.toThrow();
    });

    it('a complaint disqualifies the cheater for everyone; the rest still form a working group', () => {
      const round2 = people.map((p) => dkgRound2(setup, p, round1));
      expect(round2.map((m) => m.complaints.map((c) => c.against))).toEqual([[], [], [2], []]);
      const results = people.map((p) => dkgFinish(setup, p, viaFile(round1), viaFile(round2)));
      for (const r of results) {
        expect(r.qualified).toEqual([1, 3, 4]);
        expect(r.disqualified).toEqual([{ index: 2, reason: 'complaint by participant 3' }]);
        expect(r.groupKey).toEqual(results[0]!.groupKey);
      }
      // Participant 2 is out of Q as a dealer, not as a share holder: it still holds a share.
      for (const [a, b] of [
        [1, 3],
        [2, 4],
      ] as const) {
        const sig = combineVerifiedPartials(results[0]!, message, [
          signPartial(results[a - 1]!.share, message),
          signPartial(results[b - 1]!.share, message),
        ]);
        expect(blstBls.verify(results[0]!.groupKey, message, sig)).toBe(true);
      }
    });

    it('a false complaint (the revealed key opens a good share) is refuted; a made-up key still counts', () => {
      const clean = people.map((p) => dkgRound2(setup, p, honest));
      const genuine = dkgRound2(setup, people[2]!, round1).complaints[0]!.key;
      // Participant 3 complains against 2's honest round-1 message, revealing the true key: refuted.
      const refuted = [...clean.slice(0, 2), { ...clean[2]!, complaints: [{ against: 2, key: genuine }] }, clean[3]!];
      expect(dkgFinish(setup, people[0]!, honest, refuted).qualified).toEqual([1, 2, 3, 4]);
      // A key that opens nothing cannot be told from a ciphertext that opens to nothing: 2 is out
      // (docs/multisig.md: the justification round that would settle it is left out).
      const madeUp = [
        ...clean.slice(0, 2),
        { ...clean[2]!, complaints: [{ against: 2, key: '00'.repeat(32) }] },
        clean[3]!,
      ];
      expect(dkgFinish(setup, people[0]!, honest, madeUp).disqualified).toEqual([
        { index: 2, reason: 'complaint by participant 3' },
      ]);
    });

    it('missing, malformed and foreign round-1 messages disqualify their sender', () => {
      const other = group(4, 2, 'another group');
      const foreign = dkgRound1(other.setup, other.people[2]!, random);
      const malformed = { ...honest[1]!, commitments: honest[1]!.commitments.slice(1) };
      const mixed = [honest[0]!, malformed, foreign, honest[3]!];
      const round2 = people.map((p) => dkgRound2(setup, p, mixed));
      const result = dkgFinish(setup, people[0]!, mixed, round2);
      expect(result.qualified).toEqual([1, 4]);
      expect(result.disqualified.map((d) => d.index)).toEqual([2, 3]);
      expect(result.disqualified[0]!.reason).toMatch(/participant 2's round-1 message must hold 2 commitments/);
      expect(result.disqualified[1]!.reason).toMatch(/participant 3's round-1 message is for another group setup/);
      // Participant 2 and 3 still get their shares from the qualified dealers 1 and 4.
      const signers = [2, 3].map((i) => signPartial(dkgFinish(setup, people[i - 1]!, mixed, round2).share, message));
      expect(blstBls.verify(result.groupKey, message, combineVerifiedPartials(result, message, signers))).toBe(true);
    });

    it('fewer qualified dealers than the threshold is an error, not a weaker group', () => {
      expectGroupError(
        () => dkgFinish(setup, people[0]!, [honest[0]!], []),
        GroupErrorCode.dkgTooFewQualified,
        /only 1 qualified.*sent no round-1 message/,
      );
    });

    it('a setup with an unusable (low-order) X25519 key is refused, naming its owner', () => {
      const broken = { ...setup, encryptionKeys: setup.encryptionKeys.map((k, i) => (i === 1 ? '00'.repeat(32) : k)) };
      expectGroupError(
        () => dkgRound1(broken, people[0]!, random),
        GroupErrorCode.dkgBadMessage,
        /participant 2's encryption key/,
      );
    });

    it('refuses a participant index outside the setup', () => {
      const stranger = { index: 5, encryptionSecretKey: people[0]!.encryptionSecretKey };
      expectGroupError(() => dkgRound1(setup, stranger, random), GroupErrorCode.invalidIndex);
      expectGroupError(() => dkgRound2(setup, stranger, honest), GroupErrorCode.invalidIndex);
      expectGroupError(() => dkgFinish(setup, stranger, honest, []), GroupErrorCode.invalidIndex);
    });

    it('refuses a malformed round-2 message, naming its sender', () => {
      const bad = { type: 'ourcoin-dkg-round2' as const, setup: 'ab', from: 4, complaints: [] };
      expectGroupError(
        () => dkgFinish(setup, people[0]!, honest, [bad]),
        GroupErrorCode.dkgBadMessage,
        /participant 4's round-2 message is for another group setup/,
      );
    });
  });
});
