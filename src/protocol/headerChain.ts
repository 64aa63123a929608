/**
 * Header-chain verification for a light client: the same header rules a node applies
 * (rules/header.ts: version, canonical bits within the network's limit, proof of work, height,
 * the retarget rule, median time past, the future limit against the caller's clock), plus
 * the link of each header to the one before, over a run of 120-byte headers, keeping the
 * cumulative work. No bodies, no state: what a header chain alone can prove (docs/decisions/
 * 0020-browser-light-client.md).
 *
 * The verifier holds only the recent headers the rules look back on (the median's 11, or one
 * retarget period); a caller that keeps the whole chain (IndexedDB in the browser) resumes it
 * from any verified header with `resume`, which is also how a reorg is followed: resume at the
 * fork point, verify the other branch, compare cumulative work.
 */
import { OurCoinError } from '../errors.js';
import type { CodeOf, ErrorCode, ErrorKind } from '../errors.js';
import { HEADER_LENGTH, blockHash, decodeHeader, encodeHeader } from './block.js';
import type { BlockHeader } from './block.js';
import { bytesEqual, toHex } from './bytes.js';
import { genesisBlock } from './genesis.js';
import type { NetworkParams } from './networks.js';
import { workOfBits } from './pow.js';
import { MEDIAN_TIME_SPAN, checkHeaderContextFree, checkHeaderContextual } from './rules/header.js';
import type { HeaderContext } from './rules/header.js';

export const HeaderChainCode = {
  /** A header's prevHash is not the hash of the header before it. */
  badLink: 'HEADERS_BAD_LINK',
  /** The chain does not start at this network's genesis block. */
  badGenesis: 'HEADERS_BAD_GENESIS',
  /** The bytes are not a whole number of 120-byte headers. */
  badLength: 'HEADERS_BAD_LENGTH',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    headerChain: CodeOf<typeof HeaderChainCode>;
  }
}

export interface VerifiedHeader {
  readonly header: BlockHeader;
  /** Its 120 bytes as verified (a view into the caller's buffer: store it, do not modify it). */
  readonly encoding: Uint8Array;
  readonly hash: Uint8Array;
  /** Work of the chain from genesis up to and including this header. */
  readonly cumulativeWork: bigint;
}

/** Why a run of headers stopped being valid: the rule's code, and the height of the first bad header. */
export interface HeaderFailure {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly height: number;
  readonly message: string;
}

export interface HeaderBatchResult {
  /** The headers that passed, in order (all of them when `failure` is absent). */
  readonly accepted: readonly VerifiedHeader[];
  readonly failure?: HeaderFailure;
}

/** Headers the rules look back on: the median's span, or a whole retarget period. */
export function headerLookback(network: NetworkParams): number {
  return Math.max(MEDIAN_TIME_SPAN, network.retargetInterval);
}

/** The verified genesis header of `network`, computed here from the network's parameters. */
export function genesisVerified(network: NetworkParams): VerifiedHeader {
  const header = genesisBlock(network).header;
  const encoding = encodeHeader(header);
  return { header, encoding, hash: blockHash(header, encoding), cumulativeWork: workOfBits(header.bits) };
}

export class HeaderChainVerifier {
  private readonly lookback: number;
  /** Contiguous recent headers, oldest first; the last is the tip. Trimmed in bulk. */
  private recent: VerifiedHeader[];

  private constructor(
    private readonly network: NetworkParams,
    recent: readonly VerifiedHeader[],
  ) {
    this.lookback = headerLookback(network);
    this.recent = [...recent];
  }

  /** A chain holding only the network's genesis. */
  static fromGenesis(network: NetworkParams): HeaderChainVerifier {
    return new HeaderChainVerifier(network, [genesisVerified(network)]);
  }

  /**
   * Continues from verified headers (read back from storage): a contiguous run ending at the
   * header to build on, reaching back `headerLookback(network)` headers or to genesis.
   */
  static resume(network: NetworkParams, recent: readonly VerifiedHeader[]): HeaderChainVerifier {
    const last = recent[recent.length - 1];
    if (!last) throw new RangeError('resume needs at least one verified header');
    const need = Math.min(headerLookback(network), last.header.height + 1);
    if (recent.length < need) throw new RangeError(`resume at height ${last.header.height} needs ${need} headers`);
    for (let i = 1; i < recent.length; i++) {
      if (
        recent[i]!.header.height !== recent[i - 1]!.header.height + 1 ||
        !bytesEqual(recent[i]!.header.prevHash, recent[i - 1]!.hash)
      )
        throw new RangeError('resume needs a contiguous run of headers');
    }
    if (recent[0]!.header.height === 0 && !bytesEqual(recent[0]!.hash, genesisVerified(network).hash))
      throw new RangeError(`the first header is not the ${network.name} genesis`);
    return new HeaderChainVerifier(network, recent);
  }

  get tip(): VerifiedHeader {
    return this.recent[this.recent.length - 1]!;
  }

  /**
   * Verifies `encodings` (concatenated 120-byte headers, heights tip+1, tip+2, ...) on top of
   * the tip and moves the tip along every header that passes; stops at the first that does
   * not. `nowSeconds` is the caller's clock, for the future-timestamp limit.
   */
  verify(encodings: Uint8Array, nowSeconds: number): HeaderBatchResult {
    const accepted: VerifiedHeader[] = [];
    if (encodings.length % HEADER_LENGTH !== 0) {
      return {
        accepted,
        failure: {
          code: HeaderChainCode.badLength,
          kind: 'encoding',
          height: this.tip.header.height + 1,
          message: `${encodings.length} bytes is not a whole number of ${HEADER_LENGTH}-byte headers`,
        },
      };
    }
    const ctx = this.context();
    let lastBits = -1;
    let lastWork = 0n;
    for (let at = 0; at < encodings.length; at += HEADER_LENGTH) {
      const encoding = encodings.subarray(at, at + HEADER_LENGTH);
      const parent = this.tip;
      let header: BlockHeader;
      try {
        header = decodeHeader(encoding);
        if (header.height === 0 || !bytesEqual(header.prevHash, parent.hash)) {
          throw new OurCoinError(
            HeaderChainCode.badLink,
            `header at height ${header.height} does not link to ${toHex(parent.hash)} at height ${parent.header.height}`,
            'consensus',
          );
        }
        const hash = blockHash(header, encoding);
        checkHeaderContextFree(header, this.network, hash);
        checkHeaderContextual(header, ctx, this.network, nowSeconds);
        // Headers of one retarget period share their bits: one division per period, not per header.
        if (header.bits !== lastBits) {
          lastBits = header.bits;
          lastWork = workOfBits(header.bits);
        }
        const verified = { header, encoding, hash, cumulativeWork: parent.cumulativeWork + lastWork };
        this.push(verified);
        accepted.push(verified);
      } catch (err) {
        if (!(err instanceof OurCoinError)) throw err;
        return {
          accepted,
          failure: { code: err.code, kind: err.kind, height: parent.header.height + 1, message: err.message },
        };
      }
    }
    return { accepted };
  }

  private push(verified: VerifiedHeader): void {
    this.recent.push(verified);
    if (this.recent.length > 4 * this.lookback) this.recent = this.recent.slice(-this.lookback);
  }

  /** The rules' view of the tip's branch, read from `recent` (always the current tip). */
  private context(): HeaderContext {
    const parent = (): BlockHeader => this.tip.header;
    const ancestor = (height: number): BlockHeader => {
      const found = this.recent[height - this.recent[0]!.header.height];
      if (!found || height > this.tip.header.height) throw new RangeError(`no ancestor at height ${height}`);
      return found.header;
    };
    return {
      get parent(): BlockHeader {
        return parent();
      },
      ancestor,
    };
  }
}
