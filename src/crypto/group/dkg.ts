/**
 * Distributed key generation: Pedersen's DKG with Feldman commitments (joint-Feldman), the
 * protocol of threshold-BLS systems, so that no party ever holds the group's secret.
 *
 * Pedersen (1991), "A threshold cryptosystem without a trusted party" (EUROCRYPT '91); as
 * analysed by Gennaro, Jarecki, Krawczyk, Rabin (1999/2007), "Secure distributed key generation
 * for discrete-log based cryptosystems". Every participant i deals a Feldman sharing of its own
 * random secret z_i (./polynomial.ts); the group's secret is z = sum_{i in Q} z_i over the
 * qualified set Q, never computed anywhere:
 *
 * - Round 1 (`dkgRound1`): i publishes commitments C_i0..C_i(t-1) to a random f_i of degree
 *   t - 1 and, for every j (itself included), s_ij = f_i(j) encrypted to j.
 * - Round 2 (`dkgRound2`): j decrypts each s_ij and checks s_ij * G1 == sum_k C_ik j^k. For each
 *   i whose share does not open or does not check, j publishes a complaint that reveals the
 *   pairwise key of that one ciphertext, so anyone can decrypt it and see what i sent.
 * - Finish (`dkgFinish`, the same result for everyone from the same files): i is disqualified
 *   if its round-1 message is missing or malformed, or if a complaint against it holds (the
 *   revealed key opens i's ciphertext to a share that fails the check, or does not open it: see
 *   docs/multisig.md for the justification step left out). Then the group key is
 *   sum_{i in Q} C_i0, j's share is x_j = sum_{i in Q} s_ij, and every public share comes from
 *   the summed commitments sum_{i in Q} C_ik.
 *
 * Shares travel encrypted in files: X25519 (RFC 7748) between i's and j's static encryption
 * keys (their public halves are in the setup), HKDF-SHA256 (RFC 5869) bound to the setup and
 * to the direction i -> j, XChaCha20-Poly1305 with the setup and both indices as associated
 * data. Static-static keys authenticate the sender to the recipient; the broadcast of round
 * messages (that everyone gets the same files) is assumed, as in the papers.
 *
 * Messages are plain JSON (hex strings, numbers) so they can travel as files. Browser-safe.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH } from '../interface.js';
import { GroupErrorCode, groupError } from './interface.js';
import type { GroupDescriptor, RandomSource, SecretShare } from './interface.js';
import { G1 } from './points.js';
import type { G1Point } from './points.js';
import {
  Fr,
  checkIndex,
  checkThreshold,
  commitPolynomial,
  commitmentsAt,
  evaluatePolynomial,
  parseCommitments,
  randomPolynomial,
  randomScalar,
  scalarToBytes,
  shareMatchesCommitments,
  systemRandom,
} from './polynomial.js';

const SETUP_TAG = 'OURCOIN-DKG-SETUP-V1';
const SHARE_KEY_INFO = 'OURCOIN-DKG-SHARE-V1';
const X25519_KEY_LENGTH = 32;
const NONCE_LENGTH = 24;
/** A 32-byte share plus the 16-byte Poly1305 tag. */
const CIPHERTEXT_LENGTH = SECRET_KEY_LENGTH + 16;

/** The group's setup, agreed before round 1: the threshold and each participant's X25519 key. */
export interface DkgSetup {
  readonly threshold: number;
  /** Participant i's X25519 public key, hex, at encryptionKeys[i - 1]. */
  readonly encryptionKeys: readonly string[];
}

/** What participant `index` keeps private through the DKG: its X25519 secret key. */
export interface DkgParticipant {
  readonly index: number;
  readonly encryptionSecretKey: Uint8Array;
}

export interface DkgEncryptedShare {
  readonly to: number;
  /** 24 bytes, hex. */
  readonly nonce: string;
  /** XChaCha20-Poly1305 of the 32-byte share, hex (48 bytes). */
  readonly ciphertext: string;
}

export interface DkgRound1Message {
  readonly type: 'ourcoin-dkg-round1';
  /** `dkgSetupId(setup)`, hex: binds the message to one group. */
  readonly setup: string;
  readonly from: number;
  /** C_from,0 .. C_from,t-1: 48-byte compressed G1 points, hex. */
  readonly commitments: readonly string[];
  /** One per participant 1..n, in order, its own included. */
  readonly shares: readonly DkgEncryptedShare[];
}

export interface DkgComplaint {
  readonly against: number;
  /** The 32-byte key of the ciphertext from `against` to the complainer, hex: anyone can open it. */
  readonly key: string;
}

export interface DkgRound2Message {
  readonly type: 'ourcoin-dkg-round2';
  readonly setup: string;
  readonly from: number;
  readonly complaints: readonly DkgComplaint[];
}

export interface DkgDisqualification {
  readonly index: number;
  readonly reason: string;
}

export interface DkgResult extends GroupDescriptor {
  readonly qualified: readonly number[];
  readonly disqualified: readonly DkgDisqualification[];
  /** sum_{i in Q} C_ik, compressed: the group's Feldman commitments (the first is the group key). */
  readonly commitments: readonly Uint8Array[];
  /** This participant's secret share x_j = sum_{i in Q} s_ij. */
  readonly share: SecretShare;
}

/** A fresh X25519 key pair for the setup (the public half is shared, the secret kept). */
export function dkgEncryptionKeyPair(random: RandomSource = systemRandom): {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
} {
  const secretKey = random(X25519_KEY_LENGTH);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** sha256(tag | u8 t | u8 n | key_1 | ... | key_n), hex: what every message and key is bound to. */
export function dkgSetupId(setup: DkgSetup): string {
  const n = setup.encryptionKeys.length;
  checkThreshold(setup.threshold, n);
  const keys = setup.encryptionKeys.map((hex, k) => {
    const key = hexField(hex, X25519_KEY_LENGTH);
    if (key === undefined)
      throw groupError(
        GroupErrorCode.dkgBadMessage,
        `setup: participant ${k + 1}'s encryption key is not 32 bytes of hex`,
        'input',
      );
    return key;
  });
  return bytesToHex(sha256(concatBytes(utf8ToBytes(SETUP_TAG), Uint8Array.of(setup.threshold, n), ...keys)));
}

/** Round 1 for `me`: a random polynomial, its commitments and every share encrypted to its holder. */
export function dkgRound1(setup: DkgSetup, me: DkgParticipant, random: RandomSource = systemRandom): DkgRound1Message {
  const setupId = dkgSetupId(setup);
  const n = setup.encryptionKeys.length;
  checkIndex(me.index, n);
  // A zero share is not a valid key share; it happens with probability n / r, so draw again.
  for (;;) {
    const poly = randomPolynomial(randomScalar(random), setup.threshold, random);
    const values = Array.from({ length: n }, (_, k) => evaluatePolynomial(poly, k + 1));
    if (values.some((v) => v === Fr.ZERO)) continue;
    return {
      type: 'ourcoin-dkg-round1',
      setup: setupId,
      from: me.index,
      commitments: commitPolynomial(poly).map(bytesToHex),
      shares: values.map((v, k) => sealDkgShare(setup, me, k + 1, v, random)),
    };
  }
}

/** s encrypted from `me` to participant `to`; exported so tests can play a cheating dealer. */
export function sealDkgShare(
  setup: DkgSetup,
  me: DkgParticipant,
  to: number,
  share: bigint,
  random: RandomSource = systemRandom,
): DkgEncryptedShare {
  const setupId = dkgSetupId(setup);
  const key = shareKey(setup, setupId, me, me.index, to);
  const nonce = random(NONCE_LENGTH);
  const aad = shareAad(setupId, me.index, to);
  const ciphertext = xchacha20poly1305(key, nonce, aad).encrypt(scalarToBytes(share));
  return { to, nonce: bytesToHex(nonce), ciphertext: bytesToHex(ciphertext) };
}

/**
 * `me`'s share from `message`'s sender, decrypted and checked against the sender's
 * commitments. Throws GROUP_DKG_BAD_MESSAGE for a malformed message and GROUP_DKG_BAD_SHARE,
 * naming the sender, for a share that does not open or does not match.
 */
export function openDkgShare(setup: DkgSetup, me: DkgParticipant, message: DkgRound1Message): bigint {
  const setupId = dkgSetupId(setup);
  checkIndex(me.index, setup.encryptionKeys.length);
  const parsed = parseRound1(setup, setupId, message);
  if (typeof parsed === 'string') throw groupError(GroupErrorCode.dkgBadMessage, parsed);
  return openParsed(setup, setupId, me, parsed);
}

function openParsed(setup: DkgSetup, setupId: string, me: DkgParticipant, parsed: ParsedRound1): bigint {
  const key = shareKey(setup, setupId, me, parsed.from, me.index);
  const share = openWithKey(setupId, parsed, me.index, key);
  if (share === undefined) {
    throw groupError(
      GroupErrorCode.dkgBadShare,
      `participant ${parsed.from}'s share to participant ${me.index} does not decrypt, or does not match its commitments`,
    );
  }
  return share;
}

/** Round 2 for `me`: a complaint against every sender whose share to `me` fails. */
export function dkgRound2(setup: DkgSetup, me: DkgParticipant, round1: readonly DkgRound1Message[]): DkgRound2Message {
  const setupId = dkgSetupId(setup);
  checkIndex(me.index, setup.encryptionKeys.length);
  const complaints: DkgComplaint[] = [];
  // Missing or malformed messages need no complaint: everyone sees them in `dkgFinish`.
  for (const message of wellFormed(setup, setupId, round1).valid.values()) {
    const key = shareKey(setup, setupId, me, message.from, me.index);
    if (openWithKey(setupId, message, me.index, key) === undefined)
      complaints.push({ against: message.from, key: bytesToHex(key) });
  }
  return { type: 'ourcoin-dkg-round2', setup: setupId, from: me.index, complaints };
}

/**
 * The qualified set, the group key, every public share and `me`'s secret share, from all the
 * round messages: every honest participant gets the same Q and group key from the same files.
 */
export function dkgFinish(
  setup: DkgSetup,
  me: DkgParticipant,
  round1: readonly DkgRound1Message[],
  round2: readonly DkgRound2Message[],
): DkgResult {
  const setupId = dkgSetupId(setup);
  const n = setup.encryptionKeys.length;
  checkIndex(me.index, n);
  const { valid, disqualified } = wellFormed(setup, setupId, round1);
  for (const message of round2) {
    const from = checkRound2(setupId, n, message);
    for (const complaint of message.complaints) {
      const accused = valid.get(complaint.against);
      if (accused === undefined) continue; // already out
      const key = hexField(complaint.key, 32);
      // A key that opens the ciphertext to a share that checks refutes the complaint; a key that
      // does not open it cannot be told from a ciphertext that does not open, so it counts.
      if (key !== undefined && openWithKey(setupId, accused, from, key) !== undefined) continue;
      valid.delete(complaint.against);
      disqualified.set(complaint.against, `complaint by participant ${from}`);
    }
  }
  const qualified = [...valid.keys()].sort((a, b) => a - b);
  if (qualified.length < setup.threshold) {
    throw groupError(
      GroupErrorCode.dkgTooFewQualified,
      `only ${qualified.length} qualified participant(s) (${[...disqualified].map(([i, why]) => `${i}: ${why}`).join('; ')}), the threshold is ${setup.threshold}`,
    );
  }
  let secret = Fr.ZERO;
  for (const i of qualified) secret = Fr.add(secret, openParsed(setup, setupId, me, valid.get(i)!));
  if (secret === Fr.ZERO) throw groupError(GroupErrorCode.dkgBadShare, 'the shares sum to zero; run the DKG again');
  const summed = Array.from({ length: setup.threshold }, (_, k) =>
    qualified.reduce((acc, i) => acc.add(valid.get(i)!.commitments[k]!), G1.ZERO),
  );
  if (summed[0]!.is0()) throw groupError(GroupErrorCode.dkgBadShare, 'the group key is infinity; run the DKG again');
  const publicShares = Array.from({ length: n }, (_, k) => commitmentsAt(summed, k + 1).toBytes(true));
  return {
    threshold: setup.threshold,
    groupKey: summed[0]!.toBytes(true),
    publicShares,
    commitments: summed.map((C) => C.toBytes(true)),
    qualified,
    disqualified: [...disqualified].sort(([a], [b]) => a - b).map(([index, reason]) => ({ index, reason })),
    share: { index: me.index, secretKey: scalarToBytes(secret) },
  };
}

// ---------------------------------------------------------------- internals

interface ParsedRound1 {
  readonly from: number;
  readonly message: DkgRound1Message;
  readonly commitments: readonly G1Point[];
}

/** Pairwise key for the ciphertext from -> to, derived by whichever of the two `me` is. */
function shareKey(setup: DkgSetup, setupId: string, me: DkgParticipant, from: number, to: number): Uint8Array {
  const other = me.index === from ? to : from;
  const theirs = hexToBytes(setup.encryptionKeys[other - 1]!);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(me.encryptionSecretKey, theirs);
  } catch (err) {
    // noble refuses low-order points (an all-zero shared secret would be no secret at all).
    throw groupError(
      GroupErrorCode.dkgBadMessage,
      `setup: participant ${other}'s encryption key is not a usable X25519 key`,
      'input',
      err,
    );
  }
  const info = concatBytes(utf8ToBytes(SHARE_KEY_INFO), Uint8Array.of(from, to));
  return hkdf(sha256, shared, hexToBytes(setupId), info, 32);
}

function shareAad(setupId: string, from: number, to: number): Uint8Array {
  return concatBytes(hexToBytes(setupId), Uint8Array.of(from, to));
}

/** The share `from` sent to `to` if `key` opens it and it matches from's commitments. */
function openWithKey(setupId: string, parsed: ParsedRound1, to: number, key: Uint8Array): bigint | undefined {
  const sealed = parsed.message.shares[to - 1]!;
  let plain: Uint8Array;
  try {
    const aad = shareAad(setupId, parsed.from, to);
    plain = xchacha20poly1305(key, hexToBytes(sealed.nonce), aad).decrypt(hexToBytes(sealed.ciphertext));
  } catch {
    return undefined;
  }
  const s = bytesToNumberBE(plain);
  return shareMatchesCommitments(s, to, parsed.commitments) ? s : undefined;
}

/** Round-1 messages that pass every public check, by sender, and why the others are out. */
function wellFormed(
  setup: DkgSetup,
  setupId: string,
  round1: readonly DkgRound1Message[],
): { valid: Map<number, ParsedRound1>; disqualified: Map<number, string> } {
  const n = setup.encryptionKeys.length;
  const valid = new Map<number, ParsedRound1>();
  const disqualified = new Map<number, string>();
  const seen = new Map<number, string>();
  for (const message of round1) {
    const from = fieldsOf(message).from;
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1 || from > n) continue; // nobody's
    const text = JSON.stringify(message);
    if (seen.has(from) && seen.get(from) !== text) {
      // Two different round-1 messages: the sender showed different parties different things.
      valid.delete(from);
      disqualified.set(from, 'sent two different round-1 messages');
      continue;
    }
    seen.set(from, text);
    if (disqualified.has(from)) continue;
    const parsed = parseRound1(setup, setupId, message);
    if (typeof parsed === 'string') disqualified.set(from, parsed);
    else valid.set(from, parsed);
  }
  for (let i = 1; i <= n; i++) if (!seen.has(i)) disqualified.set(i, 'sent no round-1 message');
  return { valid, disqualified };
}

/** The parsed message, or why it is malformed (naming its sender). */
function parseRound1(setup: DkgSetup, setupId: string, message: DkgRound1Message): ParsedRound1 | string {
  const n = setup.encryptionKeys.length;
  const from = message.from;
  const who = `participant ${String(from)}'s round-1 message`;
  if (message.type !== 'ourcoin-dkg-round1') return `${who} is not a round-1 message`;
  if (!Number.isSafeInteger(from) || from < 1 || from > n) return `${who}: no such participant`;
  if (message.setup !== setupId) return `${who} is for another group setup`;
  if (!Array.isArray(message.commitments) || message.commitments.length !== setup.threshold)
    return `${who} must hold ${setup.threshold} commitments`;
  const shares: unknown = message.shares;
  if (!Array.isArray(shares) || shares.length !== n) return `${who} must hold ${n} shares`;
  for (const [k, s] of (shares as unknown[]).entries()) {
    const share = fieldsOf(s);
    const ok =
      share.to === k + 1 &&
      hexField(share.nonce, NONCE_LENGTH) !== undefined &&
      hexField(share.ciphertext, CIPHERTEXT_LENGTH) !== undefined;
    if (!ok) return `${who}: share ${k + 1} is malformed`;
  }
  const raw = message.commitments.map((c) => hexField(c, PUBLIC_KEY_LENGTH) ?? new Uint8Array(0));
  try {
    return { from, message, commitments: parseCommitments(raw, `participant ${from}'s commitment`) };
  } catch (err) {
    return err instanceof Error ? err.message : `${who} has a bad commitment`;
  }
}

/** The sender of a well-formed round-2 message; throws GROUP_DKG_BAD_MESSAGE naming it otherwise. */
function checkRound2(setupId: string, n: number, message: DkgRound2Message): number {
  const from = message.from;
  const bad = (why: string) =>
    groupError(GroupErrorCode.dkgBadMessage, `participant ${String(from)}'s round-2 message ${why}`);
  if (message.type !== 'ourcoin-dkg-round2') throw bad('is not a round-2 message');
  if (!Number.isSafeInteger(from) || from < 1 || from > n) throw bad('comes from no participant');
  if (message.setup !== setupId) throw bad('is for another group setup');
  const complaints: unknown = message.complaints;
  if (!Array.isArray(complaints)) throw bad('has no complaint list');
  for (const c of complaints as unknown[]) {
    const { against, key } = fieldsOf(c);
    if (typeof against !== 'number' || !Number.isSafeInteger(against) || against < 1 || against > n)
      throw bad('has a complaint against no participant');
    if (typeof key !== 'string') throw bad('has a complaint without a key');
  }
  return from;
}

/** The fields of a parsed JSON object, or none for anything else. */
function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Exactly `length` bytes of lowercase or uppercase hex, or undefined. */
function hexField(value: unknown, length: number): Uint8Array | undefined {
  if (typeof value !== 'string' || value.length !== 2 * length || !/^[0-9a-fA-F]*$/.test(value)) return undefined;
  return hexToBytes(value);
}
