/**
 * Synthetic header chains for the light client's tests and bench: valid headers on a real
 * network's genesis (bits from the retarget rule, timestamps `spacing` seconds apart, proof
 * of work solved from nonce 0), with no bodies behind them. Regtest solves in about two
 * hashes a header; `easyDevnet` keeps devnet's retarget (every 20 blocks, 10 s aim) with
 * regtest's easy limit so that retargets happen in a test without real mining.
 */
import { HEADER_LENGTH, blockHash, encodeHeader } from '../../src/protocol/block.js';
import type { BlockHeader } from '../../src/protocol/block.js';
import { genesisVerified } from '../../src/protocol/headerChain.js';
import { devnet, regtest } from '../../src/protocol/networks.js';
import type { NetworkParams } from '../../src/protocol/networks.js';
import { decodeCompact, hashMeetsTarget } from '../../src/protocol/pow.js';
import { expectedBits } from '../../src/protocol/rules/header.js';

/** Devnet's retarget rule with regtest's easy proof of work (its genesis is computed, not mined). */
export const easyDevnet: NetworkParams = {
  ...devnet,
  powLimit: regtest.powLimit,
  genesisBits: regtest.genesisBits,
};

export interface HeaderChainOptions {
  /** Seconds between headers (default: the network's target block time). */
  readonly spacing?: number;
  /** Changes a header before it is solved (index 0 is height 1). */
  readonly tweak?: (header: BlockHeader, index: number) => BlockHeader;
  /** Headers to build on (default: the genesis alone). */
  readonly base?: readonly BlockHeader[];
  /** Distinguishes branches with the same heights (goes into txRoot). */
  readonly branch?: number;
}

/** Sets the nonce to the first that meets the header's own bits. */
export function solveHeader(header: BlockHeader): BlockHeader {
  const target = decodeCompact(header.bits);
  for (let nonce = 0n; ; nonce++) {
    const candidate = { ...header, nonce };
    if (hashMeetsTarget(blockHash(candidate), target)) return candidate;
  }
}

/** `count` valid headers after the base (genesis by default), oldest first. */
export function buildHeaders(network: NetworkParams, count: number, opts: HeaderChainOptions = {}): BlockHeader[] {
  const chain: BlockHeader[] = [...(opts.base ?? [genesisVerified(network).header])];
  const spacing = opts.spacing ?? network.targetBlockTime;
  const out: BlockHeader[] = [];
  const txRoot = new Uint8Array(32);
  txRoot[0] = opts.branch ?? 0;
  for (let i = 0; i < count; i++) {
    const parent = chain[chain.length - 1]!;
    const first = chain[0]!.height;
    const bits = expectedBits({ parent, ancestor: (h) => chain[h - first]! }, network);
    let header: BlockHeader = {
      version: parent.version,
      height: parent.height + 1,
      prevHash: blockHash(parent),
      txRoot,
      signatureHash: new Uint8Array(32),
      timestamp: parent.timestamp + spacing,
      bits,
      nonce: 0n,
    };
    if (opts.tweak) header = opts.tweak(header, i);
    header = solveHeader(header);
    chain.push(header);
    out.push(header);
  }
  return out;
}

/** Concatenated 120-byte encodings, as GET /api/v1/headers serves them. */
export function encodeHeaders(headers: readonly BlockHeader[]): Uint8Array {
  const out = new Uint8Array(headers.length * HEADER_LENGTH);
  headers.forEach((h, i) => out.set(encodeHeader(h), i * HEADER_LENGTH));
  return out;
}
