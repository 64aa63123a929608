/**
 * The group wallet's files without a node: a group descriptor and a partially signed transfer
 * round-trip through their JSON; every bad field is named; partials are checked as they are
 * added and when a file is read; t of n (dealer) or n of n (bdn) combine to one ordinary
 * signature that blst accepts under the group key; fewer, tampered or foreign ones are refused
 * naming the participant.
 */
import { describe, expect, it } from 'vitest';
import { blstBls } from '../../../../src/crypto/blst.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { networks } from '../../../../src/protocol/networks.js';
import { signingMessage } from '../../../../src/protocol/transaction.js';
import type { Transfer } from '../../../../src/protocol/transaction.js';
import {
  descriptorToJson,
  groupAddress,
  parseDescriptor,
  participantWithKey,
  serializeDescriptor,
} from '../../../../src/wallet/group/descriptor.js';
import type { GroupDescriptor } from '../../../../src/wallet/group/descriptor.js';
import { bdnGroupKey, checkGroupKeys, splitKey } from '../../../../src/wallet/group/groupCrypto.js';
import {
  addPartial,
  combinePartialTransfer,
  newPartialTransfer,
  parsePartialTransfer,
  partialTransferToJson,
  serializePartialTransfer,
} from '../../../../src/wallet/group/partialTransfer.js';
import type { PartialTransfer } from '../../../../src/wallet/group/partialTransfer.js';
import { expectCode, groupTransfer } from '../../../helpers/wallet.js';

const regtest = networks.regtest;

/** A valid secret key from a small number (any 0 < k < r is one). */
const secretKey = (k: number): Uint8Array => {
  const sk = new Uint8Array(32);
  sk[31] = k;
  sk[0] = 0x11;
  return sk;
};

function dealerGroup(seed: number, threshold = 2, n = 3) {
  const split = splitKey(secretKey(seed), threshold, n);
  const group: GroupDescriptor = {
    name: `g${seed}`,
    scheme: 'threshold',
    threshold,
    network: regtest,
    groupPublicKey: split.groupKey,
    participants: split.publicShares.map((publicKey, k) => ({ index: k + 1, name: `p${k + 1}`, publicKey })),
    commitments: split.commitments,
  };
  return { group, shares: split.shares };
}

const transferFrom = (group: GroupDescriptor, amount = 5_000_000_000n): Transfer =>
  groupTransfer(group.groupPublicKey, amount);

const refused = expectCode;

const { group, shares } = dealerGroup(1);
const tx = transferFrom(group);
const msg = signingMessage(tx);
const partialOf = (i: number, message = msg): Uint8Array => blstBls.sign(shares[i - 1]!.secretKey, message);

describe('group descriptor', () => {
  it('round-trips through its JSON and carries the address of the group key', () => {
    const text = serializeDescriptor(group);
    const back = parseDescriptor(text, 'g.json', regtest);
    expect(serializeDescriptor(back)).toBe(text);
    expect(descriptorToJson(back).address).toBe(groupAddress(group));
    expect(groupAddress(group)).toMatch(/^ourreg1/);
    checkGroupKeys(back, 'g.json');
  });

  it.each([
    ['type', (j: Record<string, unknown>) => (j.type = 'ourcoin-wallet'), /g\.json: type:/],
    ['scheme', (j: Record<string, unknown>) => (j.scheme = 'musig'), /scheme: expected/],
    ['threshold', (j: Record<string, unknown>) => (j.threshold = 4), /threshold: expected an integer from 1 to 3/],
    [
      'a participant key',
      (j: Record<string, unknown>) => ((j.participants as { publicKey: string }[])[1]!.publicKey = '0x1234'),
      /participants\[1\]\.publicKey: expected a 48-byte public key/,
    ],
    [
      'an index',
      (j: Record<string, unknown>) => ((j.participants as { index: number }[])[2]!.index = 7),
      /participants\[2\]\.index: expected 3/,
    ],
    ['the address', (j: Record<string, unknown>) => (j.address = 'ourreg1qqq'), /address: expected ourreg1/],
    [
      'C_0',
      (j: Record<string, unknown>) => ((j.commitments as string[])[0] = toHex(group.participants[0]!.publicKey)),
      /commitments\[0\]: differs from groupPublicKey/,
    ],
  ])('names the field at fault: %s', (_what, spoil, message) => {
    const json = JSON.parse(serializeDescriptor(group)) as Record<string, unknown>;
    spoil(json);
    refused(() => parseDescriptor(JSON.stringify(json), 'g.json', regtest), 'GROUP_FILE_INVALID', message);
  });

  it('refuses a descriptor of another network, and one whose shares are not its commitments', () => {
    refused(() => parseDescriptor(serializeDescriptor(group), 'g.json', networks.devnet), 'GROUP_WRONG_NETWORK');
    const other = dealerGroup(2).group;
    const mixed: GroupDescriptor = {
      ...group,
      participants: [group.participants[0]!, other.participants[1]!, group.participants[2]!].map((p, k) => ({
        ...p,
        index: k + 1,
        name: `p${k + 1}`,
      })),
    };
    refused(() => checkGroupKeys(mixed, 'g.json'), 'GROUP_FILE_INVALID', /participants\[1\]\.publicKey/);
  });
});

describe('partially signed transfer (2 of 3, dealer)', () => {
  const start = newPartialTransfer(group, tx);

  it('every pair combines to one ordinary signature under the group key', () => {
    for (const [a, b] of [
      [1, 2],
      [1, 3],
      [2, 3],
    ] as const) {
      const pt = addPartial(addPartial(start, a, partialOf(a)), b, partialOf(b));
      const sig = combinePartialTransfer(pt);
      expect(blstBls.verify(group.groupPublicKey, msg, sig)).toBe(true);
    }
  });

  it('one partial alone cannot: GROUP_NOT_ENOUGH_PARTIALS says who signed and how many are missing', () => {
    refused(
      () => combinePartialTransfer(addPartial(start, 2, partialOf(2))),
      'GROUP_NOT_ENOUGH_PARTIALS',
      /signed by p2, 1 more needed/,
    );
  });

  it('refuses a tampered partial, or one for another transfer, naming the participant', () => {
    const other = signingMessage(transferFrom(group, 1n));
    refused(() => addPartial(start, 2, partialOf(2, other)), 'GROUP_BAD_PARTIAL', /participant 2 \(p2\)/);
    refused(() => addPartial(start, 3, partialOf(1)), 'GROUP_BAD_PARTIAL', /participant 3 \(p3\)/);
  });

  it('a share of another group matches no participant, and its partial is refused', () => {
    const foreign = dealerGroup(3).shares[0]!;
    expect(participantWithKey(group, blstBls.secretKeyToPublicKey(foreign.secretKey))).toBeUndefined();
    refused(() => addPartial(start, 1, blstBls.sign(foreign.secretKey, msg)), 'GROUP_BAD_PARTIAL', /participant 1/);
  });

  it('round-trips through its file, checking every partial as it is read', () => {
    const pt = addPartial(start, 1, partialOf(1));
    const text = serializePartialTransfer(pt);
    const back = parsePartialTransfer(text, 'pay.json', regtest);
    expect(serializePartialTransfer(back)).toBe(text);
    const json = partialTransferToJson(pt);
    expect(json.transfer.signature).toBeUndefined();
    // A partial edited in the file is named when the file is read, before any combining.
    json.partials['1'] = toHex(partialOf(1, signingMessage(transferFrom(group, 2n))));
    refused(
      () => parsePartialTransfer(JSON.stringify(json), 'pay.json', regtest),
      'GROUP_BAD_PARTIAL',
      /participant 1 \(p1\)/,
    );
    json.partials = { '4': toHex(partialOf(1)) };
    refused(
      () => parsePartialTransfer(JSON.stringify(json), 'pay.json', regtest),
      'GROUP_FILE_INVALID',
      /partials\.4: group "g1" has no participant 4/,
    );
  });

  it('refuses a transfer that is not from the group key', () => {
    refused(
      () => newPartialTransfer(group, { ...tx, senderPublicKey: group.participants[0]!.publicKey }),
      'GROUP_NOT_GROUP_TRANSFER',
    );
  });
});

describe('partially signed transfer (3 of 3, bdn)', () => {
  const keys = [4, 5, 6].map(secretKey);
  const members = keys.map((sk) => blstBls.secretKeyToPublicKey(sk));
  const bdn: GroupDescriptor = {
    name: 'trio',
    scheme: 'bdn',
    threshold: 3,
    network: regtest,
    groupPublicKey: bdnGroupKey(members),
    participants: members.map((publicKey, k) => ({ index: k + 1, name: `m${k + 1}`, publicKey })),
  };
  const btx = transferFrom(bdn);
  const bmsg = signingMessage(btx);

  it('all three partials combine under the BDN aggregate; two do not', () => {
    checkGroupKeys(parseDescriptor(serializeDescriptor(bdn), 'trio.json', regtest), 'trio.json');
    let pt: PartialTransfer = newPartialTransfer(bdn, btx);
    pt = addPartial(pt, 1, blstBls.sign(keys[0]!, bmsg));
    pt = addPartial(pt, 3, blstBls.sign(keys[2]!, bmsg));
    refused(() => combinePartialTransfer(pt), 'GROUP_NOT_ENOUGH_PARTIALS', /needs 3 of 3/);
    pt = addPartial(pt, 2, blstBls.sign(keys[1]!, bmsg));
    expect(blstBls.verify(bdn.groupPublicKey, bmsg, combinePartialTransfer(pt))).toBe(true);
  });

  it("a descriptor whose group key is not the members' BDN aggregate is refused", () => {
    refused(
      () => checkGroupKeys({ ...bdn, groupPublicKey: members[0]! }, 'trio.json'),
      'GROUP_FILE_INVALID',
      /groupPublicKey/,
    );
  });
});
