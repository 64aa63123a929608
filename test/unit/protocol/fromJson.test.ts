/**
 * blockFromJson / transferFromJson / coinbaseFromJson: the one way back from the API's JSON
 * forms to protocol objects, each bad field refused with an error that names it.
 */
import { describe, expect, it } from 'vitest';
import { OurCoinError } from '../../../src/errors.js';
import { blockFromJson, blockToJson, headerFromJson, headerToJson } from '../../../src/protocol/block.js';
import type { BlockHeaderJson } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { coinbaseFromJson, transferFromJson, transferToJson } from '../../../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';

const alice = testKey(1);
const parent = buildBlock(genesisBlock(regtest), { miner: alice.address });
const block = buildBlock(parent, { txs: [transfer(alice, testKey(2).address, 1234n, 0)] });

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OurCoinError);
    return { code: (err as OurCoinError).code, message: (err as OurCoinError).message };
  }
  throw new Error('expected a refusal');
}

describe('blockFromJson', () => {
  it('gives back the block blockToJson was given, through JSON text', () => {
    const wire = JSON.parse(JSON.stringify(blockToJson(block, regtest))) as ReturnType<typeof blockToJson>;
    expect(blockFromJson(wire, regtest)).toEqual(block);
    expect(headerFromJson(headerToJson(parent.header))).toEqual(parent.header);
  });

  it.each<[keyof BlockHeaderJson, unknown, string, string]>([
    ['height', -1, 'ENCODING_OUT_OF_RANGE', 'height: expected an unsigned 32-bit integer'],
    ['timestamp', 2 ** 32, 'ENCODING_OUT_OF_RANGE', 'timestamp: expected an unsigned 32-bit integer'],
    ['nonce', 7, 'ENCODING_OUT_OF_RANGE', 'nonce: expected an unsigned 64-bit integer as a decimal string'],
    ['nonce', '07', 'ENCODING_OUT_OF_RANGE', 'nonce: expected an unsigned 64-bit integer as a decimal string'],
    ['nonce', '-1', 'ENCODING_OUT_OF_RANGE', 'nonce: expected an unsigned 64-bit integer as a decimal string'],
    ['nonce', '18446744073709551616', 'ENCODING_OUT_OF_RANGE', 'nonce: expected an unsigned 64-bit integer'],
    ['version', 1.5, 'ENCODING_OUT_OF_RANGE', 'version: expected an unsigned 32-bit integer'],
    ['bits', '0x1d00ff', 'ENCODING_BAD_LENGTH', 'bits: expected 4 bytes, got 3'],
    ['bits', '1d00ffff', 'ENCODING_BAD_HEX', 'bits: expected 0x-prefixed hex'],
    ['prevHash', '0x00', 'ENCODING_BAD_LENGTH', 'prevHash: expected 32 bytes'],
  ])('refuses header.%s = %j with %s naming the field', (field, value, code, message) => {
    const header: BlockHeaderJson = { ...headerToJson(block.header), [field]: value };
    const got = refusal(() => headerFromJson(header));
    expect(got.code).toBe(code);
    expect(got.message).toContain(message);
  });

  it('refuses an aggregate signature of the wrong length, naming it', () => {
    const json = blockToJson(block, regtest);
    json.aggregateSignature = json.aggregateSignature.slice(0, -2);
    expect(refusal(() => blockFromJson(json, regtest))).toMatchObject({ code: 'ENCODING_BAD_LENGTH' });
  });
});

describe('transferFromJson and coinbaseFromJson', () => {
  it('ignore the read-only fields and the signature', () => {
    const tx = block.transactions[0]!;
    expect(transferFromJson({ ...transferToJson(tx, regtest), txid: 'x', sender: 'y' }, regtest)).toEqual(tx);
  });

  it('refuse a non-object and bad integers with TX_JSON_INVALID naming the field', () => {
    expect(refusal(() => transferFromJson(null, regtest))).toEqual({
      code: 'TX_JSON_INVALID',
      message: 'transaction: expected a JSON object',
    });
    const cb = blockToJson(block, regtest).coinbase;
    expect(refusal(() => coinbaseFromJson({ ...cb, height: -1 }, regtest))).toEqual({
      code: 'TX_JSON_INVALID',
      message: 'height: expected an unsigned 32-bit integer',
    });
    expect(refusal(() => coinbaseFromJson(cb, devnet)).code).toBe('ADDRESS_WRONG_NETWORK');
  });
});
