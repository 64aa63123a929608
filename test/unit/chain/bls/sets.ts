/**
 * Transfer signature sets of every kind the BLS verification service must tell apart, and the
 * verdict code each must get, computed independently of the service with `blstBls` one set at
 * a time (shared by the tests of test/unit/chain/bls/).
 */
import { blstBls } from '../../../../src/crypto/blst.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH } from '../../../../src/crypto/interface.js';
import type { SignatureSet, TransferSignature } from '../../../../src/chain/bls/interface.js';
import { blockTxids } from '../../../../src/protocol/block.js';
import type { Block } from '../../../../src/protocol/block.js';
import { RuleCode } from '../../../../src/protocol/rules/codes.js';
import { blockSignatureSet } from '../../../../src/protocol/rules/signature.js';
import { aggregateSignature } from '../../../../src/protocol/signing.js';
import { signingMessage } from '../../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../../helpers/builder.js';
import { blockOf, signedBlock } from '../../../helpers/rules.js';
import { g1CompressedWithX, g2CompressedWithX, g2NonCanonical } from '../../../helpers/curvePoints.js';

export const SET_KINDS = [
  'valid',
  'signature of another message',
  'signature by another key',
  'key off the curve',
  'key outside the subgroup',
  'key at infinity',
  'key of 47 bytes',
  'signature off the curve',
  'signature outside the subgroup',
  'signature at infinity',
  'signature not canonical',
  'signature of 95 bytes',
] as const;
export type SetKind = (typeof SET_KINDS)[number];

const alice = testKey(11);
const bob = testKey(12);
const INFINITY_KEY = (() => {
  const b = new Uint8Array(PUBLIC_KEY_LENGTH);
  b[0] = 0xc0;
  return b;
})();
const G1_OFF_CURVE = g1CompressedWithX(false);
const G1_NOT_IN_SUBGROUP = g1CompressedWithX(true);
const G2_OFF_CURVE = g2CompressedWithX(false);
const G2_NOT_IN_SUBGROUP = g2CompressedWithX(true);
const G2_NOT_CANONICAL = g2NonCanonical();

let nonce = 0;

/** A fresh valid set (a new nonce each call, so no two sets are the same). */
export function validSet(): TransferSignature {
  const signed = transfer(alice, bob.address, 1000n, nonce++);
  return { publicKey: alice.publicKey, message: signingMessage(signed.tx), signature: signed.signature };
}

/** A fresh set of `kind`. */
export function setOf(kind: SetKind): TransferSignature {
  const set = validSet();
  switch (kind) {
    case 'valid':
      return set;
    case 'signature of another message':
      return { ...set, signature: validSet().signature };
    case 'signature by another key':
      return { ...set, signature: blstBls.sign(bob.secretKey, set.message) };
    case 'key off the curve':
      return { ...set, publicKey: G1_OFF_CURVE };
    case 'key outside the subgroup':
      return { ...set, publicKey: G1_NOT_IN_SUBGROUP };
    case 'key at infinity':
      return { ...set, publicKey: INFINITY_KEY };
    case 'key of 47 bytes':
      return { ...set, publicKey: set.publicKey.slice(1) };
    case 'signature off the curve':
      return { ...set, signature: G2_OFF_CURVE };
    case 'signature outside the subgroup':
      return { ...set, signature: G2_NOT_IN_SUBGROUP };
    case 'signature at infinity':
      return { ...set, signature: INFINITY_SIGNATURE };
    case 'signature not canonical':
      return { ...set, signature: G2_NOT_CANONICAL };
    case 'signature of 95 bytes':
      return { ...set, signature: set.signature.slice(1) };
  }
}

/** A valid set over `message` (any bytes) by a test key. */
export function setOver(message: Uint8Array): TransferSignature {
  return { publicKey: alice.publicKey, message, signature: blstBls.sign(alice.secretKey, message) };
}

/** The verdict code one set must get: the `Bls` contract applied to it alone. */
export function expectedCode(set: TransferSignature): 'ok' | 'TX_BAD_PUBLIC_KEY' | 'TX_BAD_SIGNATURE' {
  try {
    blstBls.validatePublicKey(set.publicKey);
  } catch {
    return 'TX_BAD_PUBLIC_KEY';
  }
  try {
    blstBls.validateSignature(set.signature);
  } catch {
    return 'TX_BAD_SIGNATURE';
  }
  return blstBls.verify(set.publicKey, set.message, set.signature) ? 'ok' : 'TX_BAD_SIGNATURE';
}

export const codeOf = (verdict: { ok: true } | { ok: false; code: string }): string =>
  verdict.ok ? 'ok' : verdict.code;

/** Blocks' signature sets the rule accepts or refuses, each with the code it must get. */
export function blockSetCases(): { name: string; set: SignatureSet; code: string }[] {
  const signed = [0, 1, 2].map((i) => transfer(alice, bob.address, 1000n, 10_000 + i));
  const valid = signedBlock(signed);
  const setOfBlock = (block: Block): SignatureSet => blockSignatureSet(block, blockTxids(block).slice(1));
  const wrongAggregate = signedBlock(signed, aggregateSignature([signed[0]!.signature, signed[1]!.signature], blstBls));
  const badKey = { ...setOfBlock(valid), publicKeys: [G1_NOT_IN_SUBGROUP, ...setOfBlock(valid).publicKeys.slice(1)] };
  return [
    { name: 'valid', set: setOfBlock(valid), code: 'ok' },
    { name: 'wrong aggregate', set: setOfBlock(wrongAggregate), code: RuleCode.badAggregateSignature },
    {
      name: 'aggregate off the curve',
      set: { ...setOfBlock(valid), aggregateSignature: G2_OFF_CURVE },
      code: RuleCode.badAggregateSignature,
    },
    { name: 'key outside the subgroup', set: badKey, code: RuleCode.txBadPublicKey },
    { name: 'empty', set: setOfBlock(blockOf([])), code: 'ok' },
    {
      name: 'empty with an aggregate',
      set: setOfBlock(blockOf([], { aggregate: signed[0]!.signature })),
      code: RuleCode.badEmptySignature,
    },
  ];
}
