/**
 * docs/protocol.md quotes worked values from docs/vectors/protocol.json and the code's
 * constants; this keeps the prose from drifting away from what the code does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockHash } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import {
  DEFAULT_MEMPOOL_LIMITS,
  MEMPOOL_ENTRY_BYTES,
  MempoolErrorCode,
  REPLACEMENT_INCREMENT_PERCENT,
  SIGNATURE_POINT_BYTES,
} from '../../../src/mempool/interface.js';
import { networks } from '../../../src/protocol/networks.js';
import { RuleCode } from '../../../src/protocol/rules/codes.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const vectors = JSON.parse(readFileSync(new URL('../../../docs/vectors/protocol.json', import.meta.url), 'utf8')) as {
  keys: { secretKey: string; publicKey: string; addressHash: string }[];
  transfers: { encoding: string; txid: string; signature: string }[];
  block: { txRoot: string; aggregateSignature: string; signatureHash: string; hash: string };
};

describe('docs/protocol.md', () => {
  it('quotes the worked vectors exactly', () => {
    const k = vectors.keys[0]!;
    const t = vectors.transfers[0]!;
    const b = vectors.block;
    for (const value of [
      k.secretKey,
      k.publicKey,
      k.addressHash,
      t.encoding,
      t.txid,
      t.signature,
      b.txRoot,
      b.aggregateSignature,
      b.signatureHash,
      b.hash,
    ]) {
      expect(doc).toContain(value);
    }
  });

  it('states each network genesis hash, chain id and genesis bits as the code has them', () => {
    for (const n of Object.values(networks)) {
      expect(doc).toContain(toHex(blockHash(genesisBlock(n).header)));
      expect(doc).toContain('0x' + n.chainId.toString(16));
      expect(doc).toContain('0x' + n.genesisBits.toString(16).padStart(8, '0'));
    }
  });

  it('documents every consensus error code', () => {
    for (const code of Object.values(RuleCode)) expect(doc).toContain('`' + code + '`');
  });

  it('documents every mempool admission code in its policy section', () => {
    const policy = doc.slice(doc.indexOf('## 13. Mempool policy'));
    for (const code of Object.values(MempoolErrorCode)) expect(policy).toContain('`' + code + '`');
  });

  it('states the mempool policy values as the code has them', () => {
    const values: Record<string, number | bigint> = {
      ...DEFAULT_MEMPOOL_LIMITS,
      REPLACEMENT_INCREMENT_PERCENT,
      MEMPOOL_ENTRY_BYTES,
      SIGNATURE_POINT_BYTES,
    };
    for (const [name, value] of Object.entries(values)) {
      // The row of table 13.1 that names it, e.g. | minimum fee | 1,000 base units | `minFee` |
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes('`' + name + '`'));
      expect(row, name).toBeDefined();
      expect(row!.split('|')[2], name).toMatch(new RegExp(`(^|\\D)${value.toLocaleString('en-US')}(\\D|$)`));
    }
  });
});
