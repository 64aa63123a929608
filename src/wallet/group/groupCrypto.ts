/**
 * The wallet's one door into crypto/group (the math of docs/multisig.md): dealer splits,
 * partial checks and the two ways partials combine, phrased in the wallet's descriptor
 * (descriptor.ts). Nothing here does curve arithmetic itself; it only picks the construction
 * the descriptor's scheme names and maps participants to what crypto/group expects.
 */
import { nobleBls } from '../../crypto/noble.js';
import { aggregatePublicKey, bdnCombine } from '../../crypto/group/bdn.js';
import {
  combineVerifiedPartials,
  dealerSplit,
  publicSharesFromCommitments,
  verifyPartial,
} from '../../crypto/group/threshold.js';
import type { DealerSplit } from '../../crypto/group/threshold.js';
import { GroupErrorCode, groupError } from '../../crypto/group/interface.js';
import { toHex } from '../../protocol/bytes.js';
import type { GroupDescriptor, GroupParticipant } from './descriptor.js';
import { invalid } from './descriptor.js';

export { GroupErrorCode } from '../../crypto/group/interface.js';
export { dkgEncryptionKeyPair, dkgFinish, dkgRound1, dkgRound2 } from '../../crypto/group/dkg.js';
export type {
  DkgParticipant,
  DkgResult,
  DkgRound1Message,
  DkgRound2Message,
  DkgSetup,
} from '../../crypto/group/dkg.js';
export type { DealerSplit } from '../../crypto/group/threshold.js';

/** A fresh t-of-n split of `secretKey` (the dealer then wipes the key and hands out the shares). */
export function splitKey(secretKey: Uint8Array, threshold: number, participants: number): DealerSplit {
  return dealerSplit(secretKey, threshold, participants);
}

/** The BDN aggregate key of n-of-n members: the group's key. */
export function bdnGroupKey(memberKeys: readonly Uint8Array[]): Uint8Array {
  return aggregatePublicKey(memberKeys);
}

/**
 * Throws GROUP_FILE_INVALID unless the descriptor's keys belong together: for threshold, every
 * public share is f(i)*G from the commitments; for bdn, the group key is the members' BDN
 * aggregate. A descriptor edited by hand, or mixed from two groups, stops here.
 */
export function checkGroupKeys(group: GroupDescriptor, what: string): void {
  const keys = group.participants.map((p) => p.publicKey);
  if (group.scheme === 'threshold') {
    const expected = publicSharesFromCommitments(group.commitments ?? [], keys.length);
    group.participants.forEach((p, k) => {
      if (toHex(expected[k]!) !== toHex(p.publicKey))
        throw invalid(what, `participants[${k}].publicKey`, "is not the public share the group's commitments give");
    });
  } else if (toHex(bdnGroupKey(keys)) !== toHex(group.groupPublicKey)) {
    throw invalid(what, 'groupPublicKey', "is not the BDN aggregate of the participants' keys");
  }
}

/** Whether `signature` is `participant`'s partial of `message`: a BLS signature under its key. */
export function verifyParticipantPartial(
  _group: GroupDescriptor,
  participant: GroupParticipant,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verifyPartial(participant.publicKey, message, signature);
}

/**
 * One ordinary signature of `message` under the group key from the partials (index -> sig):
 * Lagrange in the exponent over t of them, or the BDN-weighted sum of all n. Each partial is
 * checked first (GROUP_BAD_PARTIAL names the participant) and the result is verified.
 */
export function combineGroupSignature(
  group: GroupDescriptor,
  partials: ReadonlyMap<number, Uint8Array>,
  message: Uint8Array,
): Uint8Array {
  const keys = group.participants.map((p) => p.publicKey);
  if (group.scheme === 'threshold') {
    // Exactly t: more add nothing but pairings, and every t of them give the same signature.
    const chosen = [...partials].sort(([a], [b]) => a - b).slice(0, group.threshold);
    return combineVerifiedPartials(
      { threshold: group.threshold, groupKey: group.groupPublicKey, publicShares: keys },
      message,
      chosen.map(([index, signature]) => ({ index, signature })),
    );
  }
  for (const p of group.participants) {
    const sig = partials.get(p.index);
    if (!sig || !verifyPartial(p.publicKey, message, sig))
      throw groupError(
        GroupErrorCode.badPartial,
        `participant ${p.index} (${p.name}): partial signature missing or bad`,
      );
  }
  const signature = bdnCombine(
    keys,
    group.participants.map((p) => partials.get(p.index)!),
  );
  if (!nobleBls.verify(group.groupPublicKey, message, signature))
    throw groupError(GroupErrorCode.inconsistentGroup, "valid partials combine to a signature the group's key refuses");
  return signature;
}
