/**
 * The explorer's in-browser verification (src/explorer/verify.ts), run in Node with the same
 * noble backend the browser uses: a real block's JSON verifies; a changed amount, a swapped
 * signature or a dropped transfer does not; an empty block carries the point at infinity.
 */
import { describe, expect, it } from 'vitest';
import { nobleBls } from '../../../src/crypto/noble.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { blockSignatureSet, signatureSetVerdict } from '../../../src/protocol/rules/signature.js';
import { blockToJson, blockTxids } from '../../../src/protocol/block.js';
import type { BlockJson } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { bytesSaved, verifyBlockJson } from '../../../src/explorer/verify.js';
import type { VerifyProgress } from '../../../src/explorer/verify.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { g2CompressedWithX, g2NonCanonical } from '../../helpers/curvePoints.js';

const senders = [testKey(1), testKey(2), testKey(3)];
const to = testKey(9).address;
const parent = buildBlock(genesisBlock(regtest), { miner: senders[0]!.address });
const block = buildBlock(parent, { txs: senders.map((s, i) => transfer(s, to, 1000n + BigInt(i), 0)) });
const json = blockToJson(block, regtest);
const clone = (): BlockJson => structuredClone(json);

describe('explorer: verifyBlockJson (noble, no node)', () => {
  it('accepts a real block, reporting progress through every phase', () => {
    const seen: VerifyProgress[] = [];
    const r = verifyBlockJson(json, regtest, nobleBls, (p) => seen.push(p));
    expect(r).toMatchObject({
      valid: true,
      signatureValid: true,
      headerHashMatches: true,
      txRootMatches: true,
      signatureHashMatches: true,
      txidMismatches: [],
      transfers: 3,
    });
    expect(r.error).toBeUndefined();
    expect(new Set(seen.map((p) => p.phase))).toEqual(new Set(['rebuilding', 'keys', 'pairing', 'done']));
    expect(r.ms).toBeGreaterThan(0);
  });

  it('says invalid when one amount is changed (the signing message changes)', () => {
    const tampered = clone();
    tampered.transactions[1]!.amount = (BigInt(tampered.transactions[1]!.amount) + 1n).toString();
    const r = verifyBlockJson(tampered, regtest, nobleBls);
    expect(r).toMatchObject({
      valid: false,
      signatureValid: false,
      txRootMatches: false,
      txidMismatches: [2],
      headerHashMatches: true,
    });
  });

  it('says invalid for a tampered amount even when the node also rewrites the txid and the root', () => {
    // A lying node can recompute what it likes, but not the senders' signatures.
    const tampered = clone();
    tampered.transactions[0]!.amount = '1';
    const r = verifyBlockJson(tampered, regtest, nobleBls);
    expect(r.signatureValid).toBe(false);
  });

  it('says invalid when a transfer is left out or the aggregate is swapped', () => {
    const dropped = clone();
    dropped.transactions.pop();
    expect(verifyBlockJson(dropped, regtest, nobleBls).signatureValid).toBe(false);
    const other = buildBlock(parent, { txs: [transfer(senders[0]!, to, 5n, 0)] });
    const swapped = clone();
    swapped.aggregateSignature = blockToJson(other, regtest).aggregateSignature;
    const r = verifyBlockJson(swapped, regtest, nobleBls);
    expect(r).toMatchObject({ valid: false, signatureValid: false, signatureHashMatches: false });
  });

  it('accepts an empty block (infinity aggregate) and reports malformed JSON as an error, not a throw', () => {
    expect(verifyBlockJson(blockToJson(parent, regtest), regtest, nobleBls)).toMatchObject({
      valid: true,
      transfers: 0,
    });
    const bad = clone();
    bad.transactions[0]!.recipient = 'ourreg1notanaddress';
    const r = verifyBlockJson(bad, regtest, nobleBls);
    expect(r.valid).toBe(false);
    expect(r.error).toMatch(/could not rebuild/);
  });

  it('refuses an aggregate of the right length that is no subgroup point, with the node’s rule code', () => {
    const points = {
      'on the curve, outside the subgroup': g2CompressedWithX(true),
      'off the curve': g2CompressedWithX(false),
      'x not a canonical field element': g2NonCanonical(),
    };
    for (const [what, aggregateSignature] of Object.entries(points)) {
      // Committed to by the header, so only the signature rule can refuse it.
      const forged = buildBlock(parent, {
        txs: senders.map((s, i) => transfer(s, to, 1000n + BigInt(i), 0)),
        aggregateSignature,
      });
      const node = signatureSetVerdict(blockSignatureSet(forged, blockTxids(forged).slice(1)), blstBls);
      expect(node, what).toMatchObject({ ok: false, code: 'BLOCK_BAD_AGGREGATE_SIGNATURE' });
      const r = verifyBlockJson(blockToJson(forged, regtest), regtest, nobleBls);
      expect(r, what).toMatchObject({
        valid: false,
        signatureValid: false,
        signatureError: 'BLOCK_BAD_AGGREGATE_SIGNATURE',
        headerHashMatches: true,
        txRootMatches: true,
        signatureHashMatches: true,
      });
    }
  });

  it('counts the bytes one aggregate saves against one signature per transfer', () => {
    expect([0, 1, 2, 100].map(bytesSaved)).toEqual([0, 0, 96, 99 * 96]);
  });
});
