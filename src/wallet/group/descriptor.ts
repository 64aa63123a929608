/**
 * The group descriptor: everything public about a group account, as one JSON file that every
 * participant keeps (docs in README, "Group accounts"). Nothing in it is secret.
 *
 *   {
 *     "type": "ourcoin-group", "version": 1, "name": "treasury",
 *     "scheme": "threshold" | "bdn",     t-of-n Shamir shares, or n-of-n BDN-aggregated keys
 *     "threshold": 2,                    partials needed (n for bdn)
 *     "network": "regtest", "address": "ourreg1...",
 *     "groupPublicKey": "0x..48 bytes",  the account's key: the sender key of its transfers
 *     "participants": [ { "index": 1, "name": "alice", "publicKey": "0x..48 bytes" }, ... ],
 *     "commitments": [ "0x..48 bytes", ... ]   threshold only: Feldman commitments C_0..C_{t-1}
 *   }
 *
 * A participant's `publicKey` is its public share (threshold) or its member key (bdn): the key
 * its partial signatures verify under. Parsing checks the shape and every field it can without
 * curve arithmetic (lengths, indices 1..n in order, distinct keys, the address is the group
 * key's); the key relations (shares against commitments, the BDN aggregate) are checked by
 * crypto/group where the descriptor is used.
 */
import { OurCoinError } from '../../errors.js';
import { PUBLIC_KEY_LENGTH } from '../../crypto/interface.js';
import { addressOf } from '../../protocol/address.js';
import { fromHex, toHex } from '../../protocol/bytes.js';
import { networkByName } from '../../protocol/networks.js';
import type { NetworkParams } from '../../protocol/networks.js';
import { GroupWalletErrorCode } from './interface.js';

export const GROUP_FILE_TYPE = 'ourcoin-group';
export const GROUP_FILE_VERSION = 1;
/** Participants a group may have (crypto/group indexes shares with one byte). */
export const MAX_GROUP_PARTICIPANTS = 255;

export type GroupScheme = 'threshold' | 'bdn';

export interface GroupParticipant {
  /** 1..n: the share's x-coordinate (threshold), or the member's place in the list (bdn). */
  readonly index: number;
  readonly name: string;
  /** The key this participant's partial signatures verify under. */
  readonly publicKey: Uint8Array;
}

export interface GroupDescriptor {
  readonly name: string;
  readonly scheme: GroupScheme;
  readonly threshold: number;
  readonly network: NetworkParams;
  readonly groupPublicKey: Uint8Array;
  readonly participants: readonly GroupParticipant[];
  /** Feldman commitments to the sharing polynomial's coefficients (threshold groups only). */
  readonly commitments?: readonly Uint8Array[];
}

export interface GroupDescriptorJson {
  type: typeof GROUP_FILE_TYPE;
  version: typeof GROUP_FILE_VERSION;
  name: string;
  scheme: GroupScheme;
  threshold: number;
  network: string;
  address: string;
  groupPublicKey: string;
  participants: { index: number; name: string; publicKey: string }[];
  commitments?: string[];
}

const PARTICIPANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** A participant's name as descriptors allow it (it also names its share's file). */
export function isParticipantName(name: string): boolean {
  return PARTICIPANT_NAME.test(name);
}

export function invalid(what: string, field: string, problem: string): OurCoinError {
  return new OurCoinError(GroupWalletErrorCode.fileInvalid, `${what}: ${field}: ${problem}`, 'input');
}

export function groupAddress(group: GroupDescriptor): string {
  return addressOf(group.groupPublicKey, group.network);
}

export function descriptorToJson(group: GroupDescriptor): GroupDescriptorJson {
  return {
    type: GROUP_FILE_TYPE,
    version: GROUP_FILE_VERSION,
    name: group.name,
    scheme: group.scheme,
    threshold: group.threshold,
    network: group.network.name,
    address: groupAddress(group),
    groupPublicKey: toHex(group.groupPublicKey),
    participants: group.participants.map((p) => ({ index: p.index, name: p.name, publicKey: toHex(p.publicKey) })),
    ...(group.commitments ? { commitments: group.commitments.map((c) => toHex(c)) } : {}),
  };
}

export function serializeDescriptor(group: GroupDescriptor): string {
  return `${JSON.stringify(descriptorToJson(group), null, 2)}\n`;
}

/** `fromHex` with the field's path in the file, as GROUP_FILE_INVALID. */
function key(value: unknown, what: string, field: string): Uint8Array {
  try {
    return fromHex(value, field, PUBLIC_KEY_LENGTH);
  } catch (err) {
    throw invalid(what, field, `expected a 48-byte public key as 0x-hex (${(err as Error).message})`);
  }
}

function object(value: unknown, what: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(what, field, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/**
 * A descriptor from its JSON form (already parsed), every field checked; `what` names the
 * file in errors. With `network`, a descriptor of another network is GROUP_WRONG_NETWORK.
 */
export function descriptorFromJson(value: unknown, what: string, network?: NetworkParams): GroupDescriptor {
  const o = object(value, what, 'group');
  if (o.type !== GROUP_FILE_TYPE) throw invalid(what, 'type', `expected "${GROUP_FILE_TYPE}" (not a group descriptor)`);
  if (o.version !== GROUP_FILE_VERSION) throw invalid(what, 'version', `expected ${GROUP_FILE_VERSION}`);
  if (typeof o.name !== 'string' || !PARTICIPANT_NAME.test(o.name))
    throw invalid(what, 'name', 'expected 1-64 letters, digits, _ . @ or -');
  if (o.scheme !== 'threshold' && o.scheme !== 'bdn') throw invalid(what, 'scheme', 'expected "threshold" or "bdn"');
  let net: NetworkParams;
  try {
    net = networkByName(String(o.network));
  } catch {
    throw invalid(what, 'network', `unknown network ${JSON.stringify(o.network)}`);
  }
  if (network && net !== network) {
    throw new OurCoinError(
      GroupWalletErrorCode.wrongNetwork,
      `${what} is a group on ${net.name}, this wallet is on ${network.name} (use --network ${net.name})`,
      'input',
    );
  }
  if (!Array.isArray(o.participants) || o.participants.length < 2 || o.participants.length > MAX_GROUP_PARTICIPANTS)
    throw invalid(what, 'participants', `expected a list of 2 to ${MAX_GROUP_PARTICIPANTS} participants`);
  const n = o.participants.length;
  const participants = o.participants.map((entry: unknown, i): GroupParticipant => {
    const field = `participants[${i}]`;
    const p = object(entry, what, field);
    if (p.index !== i + 1)
      throw invalid(what, `${field}.index`, `expected ${i + 1} (participants are numbered 1..n in order)`);
    if (typeof p.name !== 'string' || !PARTICIPANT_NAME.test(p.name))
      throw invalid(what, `${field}.name`, 'expected 1-64 letters, digits, _ . @ or -');
    return { index: i + 1, name: p.name, publicKey: key(p.publicKey, what, `${field}.publicKey`) };
  });
  const seen = new Set<string>();
  for (const p of participants) {
    const hex = toHex(p.publicKey);
    if (seen.has(hex))
      throw invalid(what, `participants[${p.index - 1}].publicKey`, 'the same key as another participant');
    seen.add(hex);
  }
  if (new Set(participants.map((p) => p.name)).size !== n)
    throw invalid(what, 'participants', 'two have the same name');
  const threshold = o.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > n)
    throw invalid(what, 'threshold', `expected an integer from 1 to ${n}`);
  if (o.scheme === 'bdn' && threshold !== n) throw invalid(what, 'threshold', `a bdn group is n-of-n: expected ${n}`);
  const groupPublicKey = key(o.groupPublicKey, what, 'groupPublicKey');
  let commitments: Uint8Array[] | undefined;
  if (o.scheme === 'threshold') {
    if (!Array.isArray(o.commitments) || o.commitments.length !== threshold)
      throw invalid(what, 'commitments', `expected ${threshold} Feldman commitments (one per coefficient)`);
    commitments = o.commitments.map((c: unknown, i) => key(c, what, `commitments[${i}]`));
    // C_0 is the secret's commitment: the group key itself.
    if (toHex(commitments[0]!) !== toHex(groupPublicKey))
      throw invalid(what, 'commitments[0]', 'differs from groupPublicKey (C_0 commits to the group secret)');
  } else if (o.commitments !== undefined) {
    throw invalid(what, 'commitments', 'only threshold groups have commitments');
  }
  const group: GroupDescriptor = {
    name: o.name,
    scheme: o.scheme,
    threshold,
    network: net,
    groupPublicKey,
    participants,
    ...(commitments ? { commitments } : {}),
  };
  if (o.address !== groupAddress(group))
    throw invalid(what, 'address', `expected ${groupAddress(group)}, the address of groupPublicKey on ${net.name}`);
  return group;
}

/** The JSON object in a group file's text (GROUP_FILE_INVALID naming `what` otherwise). */
export function parseGroupFile(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(what, 'file', `not JSON (${(err as Error).message})`);
  }
  return object(value, what, 'file');
}

/** A descriptor from the text of its file. */
export function parseDescriptor(text: string, what: string, network?: NetworkParams): GroupDescriptor {
  return descriptorFromJson(parseGroupFile(text, what), what, network);
}

/** The participant whose key is `publicKey`, or undefined. */
export function participantWithKey(group: GroupDescriptor, publicKey: Uint8Array): GroupParticipant | undefined {
  const hex = toHex(publicKey);
  return group.participants.find((p) => toHex(p.publicKey) === hex);
}
