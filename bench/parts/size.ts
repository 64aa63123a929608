/**
 * Part 5: size. Bytes per transfer in a block with one aggregate signature (97 bytes a
 * transfer plus the block's fixed 257 bytes amortized) versus a block where every transfer
 * carries its own 96-byte signature (97 + 96), and the bytes of a compact block (txids
 * instead of transfers) versus the full block, at 10, 100, 1,000 and 10,000 transfers.
 *
 * Uses part 1's blocks when it ran; otherwise builds blocks with the same layout and a
 * placeholder aggregate (sizes do not depend on the signature's value).
 */
import { SIGNATURE_LENGTH } from '../../src/crypto/interface.js';
import { BLOCK_OVERHEAD, HEADER_LENGTH, encodeBlock } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { genesisBlock } from '../../src/protocol/genesis.js';
import { regtest } from '../../src/protocol/networks.js';
import { TRANSFER_LENGTH } from '../../src/protocol/transaction.js';
import { toCompactBlock } from '../../src/network/compactBlock.js';
import { encodeCompactBlock } from '../../src/network/messages.js';
import { blockOn, makeKeys, makeTransfer } from '../lib/chainData.js';
import type { BenchContext, PartResult } from '../lib/report.js';
import { fmt, progress } from '../lib/stats.js';
import { lineChart } from '../lib/svg.js';

const SIZES = [10, 100, 1000, 10_000];

export function runSize(ctx: BenchContext): Promise<PartResult> {
  const fromPart1 = ctx.verificationBlocks !== undefined && SIZES.every((n) => ctx.verificationBlocks!.has(n));
  progress(
    'size',
    fromPart1 ? "measuring part 1's blocks" : 'building blocks with a placeholder aggregate (part 1 did not run)',
  );
  let blocks: Map<number, Block>;
  if (fromPart1) blocks = ctx.verificationBlocks!;
  else {
    const keys = makeKeys(100_000, 50);
    const sink = makeKeys(9_000, 1)[0]!.address;
    const parent = genesisBlock(regtest);
    const placeholder = new Uint8Array(SIGNATURE_LENGTH).fill(0xaa);
    blocks = new Map(
      SIZES.map((n) => [
        n,
        blockOn(
          parent,
          Array.from({ length: n }, (_, i) => makeTransfer(keys[i % 50]!, sink, 1000n, 1000n, Math.floor(i / 50))),
          placeholder,
          sink,
        ),
      ]),
    );
  }
  const rows = SIZES.map((n) => {
    const block = blocks.get(n)!;
    const full = encodeBlock(block).length;
    const compact = encodeCompactBlock(toCompactBlock(block)).length;
    // The same block if each transfer carried its own signature and there were no aggregate.
    const perTxSig = BLOCK_OVERHEAD - SIGNATURE_LENGTH + n * (TRANSFER_LENGTH + SIGNATURE_LENGTH);
    return {
      n,
      blockBytes: full,
      bytesPerTransfer: full / n,
      perTxSignatureBlockBytes: perTxSig,
      perTxSignatureBytesPerTransfer: perTxSig / n,
      savedPercent: (100 * (perTxSig - full)) / perTxSig,
      compactBytes: compact,
      compactBytesPerTransfer: compact / n,
      compactVsFull: compact / full,
    };
  });
  const md = [
    `Block = header ${HEADER_LENGTH} + coinbase 37 + count 4 + 97 per transfer + one 96-byte aggregate (${BLOCK_OVERHEAD} bytes fixed). ` +
      'With one signature per transfer the same block would carry 97 + 96 = 193 bytes a transfer and no aggregate. ' +
      'A compact block (src/network/messages.ts encodeCompactBlock of toCompactBlock) carries 32-byte txids instead of the 97-byte transfers. ' +
      (fromPart1
        ? "Measured on part 1's blocks (encodeBlock lengths)."
        : 'Measured on blocks built with a placeholder aggregate.'),
    '',
    '| transfers | block bytes | bytes / transfer | one sig per transfer: bytes | bytes / transfer | saved | compact block bytes | bytes / transfer | compact / full |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.n.toLocaleString('en-US')} | ${r.blockBytes.toLocaleString('en-US')} | ${fmt(r.bytesPerTransfer)} | ${r.perTxSignatureBlockBytes.toLocaleString('en-US')} | ${fmt(r.perTxSignatureBytesPerTransfer)} | ${fmt(r.savedPercent)}% | ${r.compactBytes.toLocaleString('en-US')} | ${fmt(r.compactBytesPerTransfer)} | ${fmt(r.compactVsFull)} |`,
    ),
    '',
    'Chart: [size.svg](size.svg). Sizes are exact, so each figure is a single measurement.',
  ].join('\n');
  const chart = lineChart({
    title: 'Bytes per transfer vs block size',
    xLabel: 'transfers per block',
    yLabel: 'bytes per transfer',
    logX: true,
    series: [
      { name: 'one signature per transfer', points: rows.map((r) => [r.n, r.perTxSignatureBytesPerTransfer] as const) },
      { name: 'one aggregate per block', points: rows.map((r) => [r.n, r.bytesPerTransfer] as const) },
      { name: 'compact block on the wire', points: rows.map((r) => [r.n, r.compactBytesPerTransfer] as const) },
    ],
  });
  const r1000 = rows.find((r) => r.n === 1000)!;
  return Promise.resolve({
    data: { fromPart1, rows },
    markdown: md,
    targets: [],
    charts: [{ file: 'size.svg', title: 'Bytes per transfer', svg: chart }],
    headlines: [
      `Size at 1,000 transfers: ${fmt(r1000.bytesPerTransfer)} bytes a transfer with one aggregate vs ${fmt(r1000.perTxSignatureBytesPerTransfer)} with a signature each (${fmt(r1000.savedPercent)}% smaller); a compact block is ${fmt(r1000.compactBytesPerTransfer)} bytes a transfer (${fmt(100 * r1000.compactVsFull)}% of the full block).`,
    ],
  });
}
