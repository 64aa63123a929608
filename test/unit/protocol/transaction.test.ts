/**
 * Transfer and coinbase encoding (src/protocol/transaction.ts): round trips, exact byte
 * layouts, every malformed input refused with its stable code, and the JSON form.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { addressOf } from '../../../src/protocol/address.js';
import { COIN, MAX_MONEY } from '../../../src/protocol/amount.js';
import { ByteReader } from '../../../src/protocol/bytes.js';
import { sha256 } from '../../../src/protocol/hash.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import {
  COINBASE_LENGTH,
  MAX_NONCE,
  TRANSFER_LENGTH,
  TRANSFER_SIGNING_TAG,
  coinbaseTxid,
  decodeSignedTransfer,
  decodeTransfer,
  encodeCoinbase,
  encodeSignedTransfer,
  encodeTransfer,
  readCoinbase,
  signedTransferFromJson,
  signingMessage,
  transferToJson,
  transferTxid,
} from '../../../src/protocol/transaction.js';
import type { Coinbase, Transfer, TransferJson } from '../../../src/protocol/transaction.js';
import { transfer } from '../../helpers/builder.js';
import { alice, ascii, bob, carol, expectCode, hex, patched, u32be } from '../../helpers/encoding.js';

const u64be = (b: Uint8Array, at: number): bigint =>
  new DataView(b.buffer, b.byteOffset, b.length).getBigUint64(at, false);

/** A transfer whose integer fields have distinct bytes, so a misplaced field shows. */
const sampleTx: Transfer = {
  chainId: regtest.chainId,
  senderPublicKey: alice.publicKey,
  recipient: bob.address,
  amount: 0x0102_0304_0506_0708n,
  fee: 0x1112_1314_1516_1718n,
  nonce: 0x0a0b_0c0d,
};

// ---------------------------------------------------------------- transfers

describe('transfer encoding', () => {
  it('is 97 bytes with the documented field layout', () => {
    const b = encodeTransfer(sampleTx);
    expect(b.length).toBe(TRANSFER_LENGTH);
    expect(TRANSFER_LENGTH).toBe(97);
    expect(b[0]).toBe(0x01);
    expect(u32be(b, 1)).toBe(regtest.chainId);
    expect(hex(b.subarray(1, 5))).toBe('0x4f555252'); // "OURR"
    expect(hex(b.subarray(5, 53))).toBe(hex(alice.publicKey));
    expect(hex(b.subarray(53, 73))).toBe(hex(bob.address));
    expect(hex(b.subarray(73, 81))).toBe('0x0102030405060708');
    expect(hex(b.subarray(81, 89))).toBe('0x1112131415161718');
    expect(hex(b.subarray(89, 97))).toBe('0x000000000a0b0c0d');
    expect(u64be(b, 89)).toBe(BigInt(sampleTx.nonce));
  });

  it('decode(encode(x)) deep-equals x', () => {
    expect(decodeTransfer(encodeTransfer(sampleTx))).toEqual(sampleTx);
    const edge: Transfer = {
      ...sampleTx,
      amount: 0n,
      fee: 0xffff_ffff_ffff_ffffn,
      nonce: MAX_NONCE,
      chainId: 0xffff_ffff,
    };
    expect(decodeTransfer(encodeTransfer(edge))).toEqual(edge);
  });

  it('txid = sha256(encoding)', () => {
    expect(hex(transferTxid(sampleTx))).toBe(hex(sha256(encodeTransfer(sampleTx))));
    expect(hex(transferTxid({ ...sampleTx, nonce: sampleTx.nonce + 1 }))).not.toBe(hex(transferTxid(sampleTx)));
  });

  it('rejects a wrong type byte with ENCODING_BAD_TYPE', () => {
    const b = encodeTransfer(sampleTx);
    expectCode(() => decodeTransfer(patched(b, 0, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(patched(b, 0, 0x02)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(patched(b, 0, 0xff)), 'ENCODING_BAD_TYPE');
  });

  it('rejects truncated input and trailing bytes', () => {
    const b = encodeTransfer(sampleTx);
    expectCode(() => decodeTransfer(b.subarray(0, 96)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(b.subarray(0, 1)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(new Uint8Array(0)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
  });

  it('rejects a nonce above 2^53-1 on decode with ENCODING_OUT_OF_RANGE', () => {
    const b = encodeTransfer({ ...sampleTx, nonce: MAX_NONCE });
    expect(u64be(b, 89)).toBe(2n ** 53n - 1n);
    const over = b.slice();
    new DataView(over.buffer).setBigUint64(89, 2n ** 53n, false);
    expectCode(() => decodeTransfer(over), 'ENCODING_OUT_OF_RANGE');
    new DataView(over.buffer).setBigUint64(89, 0xffff_ffff_ffff_ffffn, false);
    expectCode(() => decodeTransfer(over), 'ENCODING_OUT_OF_RANGE');
  });

  it('refuses to encode bad fields', () => {
    for (const nonce of [-1, 2 ** 53, 1.5, Number.NaN])
      expectCode(() => encodeTransfer({ ...sampleTx, nonce }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, amount: -1n }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, fee: 1n << 64n }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, chainId: 2 ** 32 }), 'ENCODING_OUT_OF_RANGE');
    expectCode(
      () => encodeTransfer({ ...sampleTx, senderPublicKey: alice.publicKey.subarray(0, 47) }),
      'ENCODING_BAD_LENGTH',
    );
    expectCode(() => encodeTransfer({ ...sampleTx, recipient: new Uint8Array(21) }), 'ENCODING_BAD_LENGTH');
  });

  it('signed transfer: 193 bytes = transfer | signature, round trip, valid signature', () => {
    const stx = transfer(alice, bob.address, 5n * COIN, 3);
    const b = encodeSignedTransfer(stx);
    expect(b.length).toBe(TRANSFER_LENGTH + SIGNATURE_LENGTH);
    expect(b.length).toBe(193);
    expect(hex(b.subarray(0, 97))).toBe(hex(encodeTransfer(stx.tx)));
    expect(hex(b.subarray(97))).toBe(hex(stx.signature));
    expect(decodeSignedTransfer(b)).toEqual(stx);
    expect(blstBls.verify(alice.publicKey, signingMessage(stx.tx), stx.signature)).toBe(true);

    expectCode(() => decodeSignedTransfer(b.subarray(0, 192)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeSignedTransfer(b.subarray(0, 97)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeSignedTransfer(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
    expectCode(() => decodeSignedTransfer(patched(b, 0, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(b), 'ENCODING_TRAILING_BYTES');
    expectCode(() => encodeSignedTransfer({ ...stx, signature: stx.signature.subarray(0, 95) }), 'ENCODING_BAD_LENGTH');
  });

  it('signingMessage = u8(19) | "OURCOIN-TRANSFER-V1" | senderPublicKey | txid (1 + 19 + 48 + 32 = 100 bytes)', () => {
    const m = signingMessage(sampleTx);
    expect(m.length).toBe(1 + 19 + PUBLIC_KEY_LENGTH + 32);
    expect(m.length).toBe(100);
    expect(m[0]).toBe(19);
    expect(TRANSFER_SIGNING_TAG.length).toBe(19);
    expect(hex(m.subarray(1, 20))).toBe(hex(ascii('OURCOIN-TRANSFER-V1')));
    expect(hex(m.subarray(20, 68))).toBe(hex(alice.publicKey));
    expect(hex(m.subarray(68, 100))).toBe(hex(transferTxid(sampleTx)));
    expect(hex(signingMessage(sampleTx, transferTxid(sampleTx)))).toBe(hex(m));
  });

  it('two senders of otherwise identical transfers sign different messages', () => {
    const fromCarol: Transfer = { ...sampleTx, senderPublicKey: carol.publicKey };
    const a = signingMessage(sampleTx);
    const c = signingMessage(fromCarol);
    expect(hex(a)).not.toBe(hex(c));
    expect(hex(a.subarray(0, 20))).toBe(hex(c.subarray(0, 20)));
    expect(hex(a.subarray(20, 68))).not.toBe(hex(c.subarray(20, 68)));
    expect(hex(a.subarray(68))).not.toBe(hex(c.subarray(68)));
  });
});

// ---------------------------------------------------------------- coinbase

describe('coinbase encoding', () => {
  const cb: Coinbase = { chainId: devnet.chainId, height: 0x0102_0304, recipient: carol.address, amount: 50n * COIN };

  it('is 37 bytes: 0x00 | chainId | height | recipient | amount', () => {
    const b = encodeCoinbase(cb);
    expect(b.length).toBe(COINBASE_LENGTH);
    expect(COINBASE_LENGTH).toBe(37);
    expect(b[0]).toBe(0x00);
    expect(hex(b.subarray(1, 5))).toBe('0x4f555244'); // "OURD"
    expect(hex(b.subarray(5, 9))).toBe('0x01020304');
    expect(hex(b.subarray(9, 29))).toBe(hex(carol.address));
    expect(u64be(b, 29)).toBe(50n * COIN);
    expect(hex(coinbaseTxid(cb))).toBe(hex(sha256(b)));
  });

  it('reads back, and rejects a transfer type byte', () => {
    const b = encodeCoinbase(cb);
    const r = new ByteReader(b, 'coinbase');
    expect(readCoinbase(r)).toEqual(cb);
    r.finish();
    expectCode(() => readCoinbase(new ByteReader(patched(b, 0, 0x01), 'coinbase')), 'ENCODING_BAD_TYPE');
    expectCode(() => encodeCoinbase({ ...cb, recipient: new Uint8Array(19) }), 'ENCODING_BAD_LENGTH');
  });
});

// ---------------------------------------------------------------- JSON

describe('transfer JSON', () => {
  const stx = transfer(alice, bob.address, 12n * COIN + 345n, 9, 2500n);
  const json = transferToJson(stx.tx, regtest, stx.signature);

  it('transferToJson uses decimal strings, bech32m and 0x-hex', () => {
    expect(json).toEqual({
      type: 'transfer',
      txid: hex(transferTxid(stx.tx)),
      chainId: regtest.chainId,
      senderPublicKey: hex(alice.publicKey),
      sender: addressOf(alice.publicKey, regtest),
      recipient: addressOf(bob.publicKey, regtest),
      amount: '1200000345',
      fee: '2500',
      nonce: 9,
      signature: hex(stx.signature),
    });
    expect(transferToJson(stx.tx, regtest)).not.toHaveProperty('signature');
  });

  it('signedTransferFromJson(transferToJson(x)) round-trips through JSON text', () => {
    const wire = JSON.parse(JSON.stringify(json)) as unknown;
    expect(signedTransferFromJson(wire, regtest)).toEqual(stx);
    // Read-only fields are ignored.
    const minimal: Partial<TransferJson> = { ...json };
    delete minimal.txid;
    delete minimal.sender;
    delete minimal.type;
    expect(signedTransferFromJson(minimal, regtest)).toEqual(stx);
  });

  const cases: readonly [string, (j: Record<string, unknown>) => void, string][] = [
    ['chainId as string', (j) => (j.chainId = String(regtest.chainId)), 'TX_JSON_INVALID'],
    ['chainId negative', (j) => (j.chainId = -1), 'TX_JSON_INVALID'],
    ['chainId above u32', (j) => (j.chainId = 2 ** 32), 'TX_JSON_INVALID'],
    ['chainId fractional', (j) => (j.chainId = 1.5), 'TX_JSON_INVALID'],
    ['chainId missing', (j) => delete j.chainId, 'TX_JSON_INVALID'],
    ['nonce as string', (j) => (j.nonce = '9'), 'TX_JSON_INVALID'],
    ['nonce negative', (j) => (j.nonce = -1), 'TX_JSON_INVALID'],
    ['nonce fractional', (j) => (j.nonce = 1.5), 'TX_JSON_INVALID'],
    ['nonce above 2^53-1', (j) => (j.nonce = 2 ** 53), 'TX_JSON_INVALID'],
    ['nonce missing', (j) => delete j.nonce, 'TX_JSON_INVALID'],
    ['senderPublicKey as number', (j) => (j.senderPublicKey = 5), 'ENCODING_BAD_HEX'],
    [
      'senderPublicKey without 0x',
      (j) => (j.senderPublicKey = (j.senderPublicKey as string).slice(2)),
      'ENCODING_BAD_HEX',
    ],
    ['senderPublicKey 47 bytes', (j) => (j.senderPublicKey = '0x' + '11'.repeat(47)), 'ENCODING_BAD_LENGTH'],
    ['senderPublicKey missing', (j) => delete j.senderPublicKey, 'ENCODING_BAD_HEX'],
    ['signature missing', (j) => delete j.signature, 'ENCODING_BAD_HEX'],
    ['signature odd length', (j) => (j.signature = (j.signature as string).slice(0, -1)), 'ENCODING_BAD_HEX'],
    ['signature 95 bytes', (j) => (j.signature = (j.signature as string).slice(0, -2)), 'ENCODING_BAD_LENGTH'],
    ['recipient as number', (j) => (j.recipient = 1), 'ADDRESS_BAD_FORMAT'],
    ['recipient empty', (j) => (j.recipient = ''), 'ADDRESS_BAD_FORMAT'],
    ['recipient on devnet', (j) => (j.recipient = addressOf(bob.publicKey, devnet)), 'ADDRESS_WRONG_NETWORK'],
    [
      'recipient with a typo',
      (j) => (j.recipient = (j.recipient as string).slice(0, -1) + ((j.recipient as string).endsWith('q') ? 'p' : 'q')),
      'ADDRESS_BAD_CHECKSUM',
    ],
    ['amount as number', (j) => (j.amount = 5), 'AMOUNT_INVALID'],
    ['amount in coins', (j) => (j.amount = '1.5'), 'AMOUNT_INVALID'],
    ['amount above MAX_MONEY', (j) => (j.amount = (MAX_MONEY + 1n).toString()), 'AMOUNT_OUT_OF_RANGE'],
    ['fee negative', (j) => (j.fee = '-1'), 'AMOUNT_INVALID'],
    ['fee missing', (j) => delete j.fee, 'AMOUNT_INVALID'],
  ];

  it.each(cases)('signedTransferFromJson rejects %s', (_name, mutate, code) => {
    const j = { ...json } as Record<string, unknown>;
    mutate(j);
    expectCode(() => signedTransferFromJson(j, regtest), code);
  });

  it('signedTransferFromJson rejects a non-object with TX_JSON_INVALID', () => {
    for (const bad of [null, undefined, 'tx', 5, true])
      expectCode(() => signedTransferFromJson(bad, regtest), 'TX_JSON_INVALID');
    expectCode(() => signedTransferFromJson([], regtest), 'TX_JSON_INVALID');
  });
});
