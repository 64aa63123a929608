/**
 * Header rules.
 *
 * Context-free (anyone can check a lone header): version, canonical bits within the
 * network's limit, proof of work. Contextual (needs the parent's branch): height = parent+1,
 * bits = the retarget rule's answer, timestamp > median of the last 11 timestamps, and
 * timestamp <= local clock + maxFutureBlockTime (transient: the block may be fine later).
 */
import { BLOCK_VERSION, blockHash } from '../block.js';
import type { BlockHeader } from '../block.js';
import { OurCoinError } from '../../errors.js';
import type { NetworkParams } from '../networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget } from '../pow.js';
import { RuleCode, ruleError } from './codes.js';

/** The parent's branch, as far back as the rules look (11 blocks, or one retarget period). */
export interface HeaderContext {
  readonly parent: BlockHeader;
  /** Header at `height` (<= parent.height) on the parent's branch. */
  ancestor(height: number): BlockHeader;
}

export const MEDIAN_TIME_SPAN = 11;

export function checkHeaderContextFree(
  header: BlockHeader,
  network: NetworkParams,
  hash: Uint8Array = blockHash(header),
): void {
  if (header.version !== BLOCK_VERSION)
    throw ruleError(RuleCode.badVersion, `version ${header.version}, expected ${BLOCK_VERSION}`);
  let target: bigint;
  try {
    target = decodeCompact(header.bits);
  } catch (err) {
    throw ruleError(RuleCode.badBits, err instanceof OurCoinError ? err.message : String(err));
  }
  if (target > network.powLimit) throw ruleError(RuleCode.badBits, `target above the ${network.name} limit`);
  if (!hashMeetsTarget(hash, target)) throw ruleError(RuleCode.badPow, 'block hash is above its target');
}

export function medianTimePast(ctx: HeaderContext): number {
  const times: number[] = [];
  for (let h = ctx.parent.height; h >= 0 && times.length < MEDIAN_TIME_SPAN; h--) {
    times.push(h === ctx.parent.height ? ctx.parent.timestamp : ctx.ancestor(h).timestamp);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Bits required of the block after `ctx.parent`. With retargeting, at each multiple of the
 * interval: target' = target * actualSpan / expectedSpan, where the spans cover the last
 * `interval` blocks ((interval-1) gaps, so no off-by-one as in Bitcoin), actualSpan is
 * clamped to [expected/4, expected*4], and the result is capped at powLimit and rounded
 * through the compact encoding.
 */
export function expectedBits(ctx: HeaderContext, network: NetworkParams): number {
  const height = ctx.parent.height + 1;
  const interval = network.retargetInterval;
  if (interval === 0) return network.genesisBits;
  if (height % interval !== 0) return ctx.parent.bits;
  const first = ctx.ancestor(height - interval);
  const expected = BigInt((interval - 1) * network.targetBlockTime);
  let actual = BigInt(ctx.parent.timestamp - first.timestamp);
  if (actual < expected / 4n) actual = expected / 4n;
  if (actual > expected * 4n) actual = expected * 4n;
  let target = (decodeCompact(ctx.parent.bits) * actual) / expected;
  if (target > network.powLimit) target = network.powLimit;
  return encodeCompact(target);
}

export function checkHeaderContextual(
  header: BlockHeader,
  ctx: HeaderContext,
  network: NetworkParams,
  nowSeconds: number,
): void {
  if (header.height !== ctx.parent.height + 1) {
    throw ruleError(RuleCode.badHeight, `height ${header.height}, parent is at ${ctx.parent.height}`);
  }
  const bits = expectedBits(ctx, network);
  if (header.bits !== bits) {
    throw ruleError(
      RuleCode.badTarget,
      `bits 0x${header.bits.toString(16)}, the retarget rule requires 0x${bits.toString(16)}`,
    );
  }
  const mtp = medianTimePast(ctx);
  if (header.timestamp <= mtp) {
    throw ruleError(
      RuleCode.timeTooOld,
      `timestamp ${header.timestamp} is not after the median of the last ${MEDIAN_TIME_SPAN} blocks (${mtp})`,
    );
  }
  if (header.timestamp > nowSeconds + network.maxFutureBlockTime) {
    throw ruleError(
      RuleCode.timeTooNew,
      `timestamp ${header.timestamp} is more than ${network.maxFutureBlockTime} s ahead of the local clock`,
      'transient',
    );
  }
}
