/**
 * The partially signed transfer (Bitcoin's PSBT, for a group account): one JSON file that goes
 * from participant to participant, each adding a partial signature, until `combine` has enough.
 *
 *   {
 *     "type": "ourcoin-partial-transfer", "version": 1,
 *     "group": { ...the group descriptor (descriptor.ts), whole: the file stands alone },
 *     "transfer": { ...the unsigned transfer, as the HTTP API writes it (no "signature") },
 *     "partials": { "1": "0x..96 bytes", "3": "0x..96 bytes" }   participant index -> partial
 *   }
 *
 * Every partial is a BLS signature of the transfer's signing message (docs/protocol.md 4.3,
 * which embeds the GROUP key as sender) by one participant's share or member key. A partial is
 * checked against its participant's key when it is added and again when a file is read to be
 * combined, so a tampered partial, or one made for another transfer, is named by participant
 * before anything is combined.
 */
import { OurCoinError } from '../../errors.js';
import { SIGNATURE_LENGTH } from '../../crypto/interface.js';
import { fromHex, toHex } from '../../protocol/bytes.js';
import type { NetworkParams } from '../../protocol/networks.js';
import { signingMessage, transferFromJson, transferToJson } from '../../protocol/transaction.js';
import type { Transfer, TransferJson } from '../../protocol/transaction.js';
import { descriptorFromJson, descriptorToJson, invalid, parseGroupFile } from './descriptor.js';
import type { GroupDescriptor, GroupDescriptorJson, GroupParticipant } from './descriptor.js';
import { GroupErrorCode, combineGroupSignature, verifyParticipantPartial } from './groupCrypto.js';
import { GroupWalletErrorCode } from './interface.js';

export const PARTIAL_FILE_TYPE = 'ourcoin-partial-transfer';
export const PARTIAL_FILE_VERSION = 1;

export interface PartialTransfer {
  readonly group: GroupDescriptor;
  readonly tx: Transfer;
  /** Participant index -> 96-byte partial signature, each verified when it was added. */
  readonly partials: ReadonlyMap<number, Uint8Array>;
}

export interface PartialTransferJson {
  type: typeof PARTIAL_FILE_TYPE;
  version: typeof PARTIAL_FILE_VERSION;
  group: GroupDescriptorJson;
  transfer: TransferJson;
  partials: Record<string, string>;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return toHex(a) === toHex(b);
}

/** A new file for `tx`, which must be from the group's key. */
export function newPartialTransfer(group: GroupDescriptor, tx: Transfer): PartialTransfer {
  if (!sameKey(tx.senderPublicKey, group.groupPublicKey)) {
    throw new OurCoinError(
      GroupWalletErrorCode.notGroupTransfer,
      `the transfer is from ${toHex(tx.senderPublicKey)}, not from group "${group.name}"'s key`,
      'input',
    );
  }
  return { group, tx, partials: new Map() };
}

export function partialTransferToJson(pt: PartialTransfer): PartialTransferJson {
  const partials: Record<string, string> = {};
  for (const [index, sig] of [...pt.partials].sort(([a], [b]) => a - b)) partials[String(index)] = toHex(sig);
  return {
    type: PARTIAL_FILE_TYPE,
    version: PARTIAL_FILE_VERSION,
    group: descriptorToJson(pt.group),
    transfer: transferToJson(pt.tx, pt.group.network),
    partials,
  };
}

export function serializePartialTransfer(pt: PartialTransfer): string {
  return `${JSON.stringify(partialTransferToJson(pt), null, 2)}\n`;
}

function participant(pt: PartialTransfer, index: number, what: string, field: string): GroupParticipant {
  const found = pt.group.participants.find((p) => p.index === index);
  if (!found) throw invalid(what, field, `group "${pt.group.name}" has no participant ${index}`);
  return found;
}

function badPartial(group: GroupDescriptor, p: GroupParticipant, why: string): OurCoinError {
  return new OurCoinError(
    GroupErrorCode.badPartial,
    `the partial signature of participant ${p.index} (${p.name}) of group "${group.name}" ${why}`,
    'crypto',
  );
}

/**
 * `pt` with participant `index`'s partial `signature` added, checked first against the
 * participant's key over this transfer's signing message (GROUP_BAD_PARTIAL naming it).
 */
export function addPartial(pt: PartialTransfer, index: number, signature: Uint8Array): PartialTransfer {
  const p = participant(pt, index, 'partial signature', 'index');
  if (!verifyParticipantPartial(pt.group, p, signingMessage(pt.tx), signature))
    throw badPartial(pt.group, p, 'does not verify for this transfer (tampered, or made for another transfer)');
  const partials = new Map(pt.partials);
  partials.set(index, signature);
  return { ...pt, partials };
}

/**
 * A partial file from its text: every field checked (named in GROUP_FILE_INVALID), the
 * transfer from the group's key, and every partial verified (GROUP_BAD_PARTIAL naming who).
 */
export function parsePartialTransfer(text: string, what: string, network?: NetworkParams): PartialTransfer {
  const o = parseGroupFile(text, what);
  if (o.type !== PARTIAL_FILE_TYPE)
    throw invalid(what, 'type', `expected "${PARTIAL_FILE_TYPE}" (not a partially signed transfer)`);
  if (o.version !== PARTIAL_FILE_VERSION) throw invalid(what, 'version', `expected ${PARTIAL_FILE_VERSION}`);
  const group = descriptorFromJson(o.group, `${what} (its group)`, network);
  let tx: Transfer;
  try {
    tx = transferFromJson(o.transfer, group.network);
  } catch (err) {
    throw invalid(what, 'transfer', (err as Error).message);
  }
  if (typeof o.transfer === 'object' && o.transfer !== null && 'signature' in o.transfer)
    throw invalid(what, 'transfer.signature', 'an unsigned transfer has none (partials go in "partials")');
  if (tx.chainId !== group.network.chainId)
    throw invalid(what, 'transfer.chainId', `expected ${group.network.chainId}, the chain id of ${group.network.name}`);
  let pt = newPartialTransfer(group, tx);
  if (typeof o.partials !== 'object' || o.partials === null || Array.isArray(o.partials))
    throw invalid(what, 'partials', 'expected an object of participant index -> signature');
  for (const [key, hex] of Object.entries(o.partials)) {
    const field = `partials.${key}`;
    const index = /^[1-9][0-9]{0,2}$/.test(key) ? Number(key) : NaN;
    participant(pt, index, what, field);
    let sig: Uint8Array;
    try {
      sig = fromHex(hex, field, SIGNATURE_LENGTH);
    } catch (err) {
      throw invalid(what, field, (err as Error).message);
    }
    pt = addPartial(pt, index, sig);
  }
  return pt;
}

/** Participants who have signed, and those the threshold still needs. */
export function signingProgress(pt: PartialTransfer): { signed: GroupParticipant[]; missing: number } {
  const signed = pt.group.participants.filter((p) => pt.partials.has(p.index));
  return { signed, missing: Math.max(0, pt.group.threshold - signed.length) };
}

/**
 * The transfer's one ordinary signature: the partials combined (Lagrange in the exponent for
 * t-of-n, BDN coefficients for n-of-n) and verified under the group key. Fewer partials than
 * the threshold: GROUP_NOT_ENOUGH_PARTIALS, naming who signed and how many are missing.
 */
export function combinePartialTransfer(pt: PartialTransfer): Uint8Array {
  const { signed, missing } = signingProgress(pt);
  if (missing > 0) {
    const who = signed.length === 0 ? 'nobody has signed' : `signed by ${signed.map((p) => p.name).join(', ')}`;
    throw new OurCoinError(
      GroupErrorCode.notEnoughPartials,
      `group "${pt.group.name}" needs ${pt.group.threshold} of ${pt.group.participants.length} partial signatures: ${who}, ${missing} more needed`,
      'input',
    );
  }
  return combineGroupSignature(pt.group, pt.partials, signingMessage(pt.tx));
}
