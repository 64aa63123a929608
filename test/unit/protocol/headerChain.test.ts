/**
 * Header-chain verification (src/protocol/headerChain.ts): valid synthetic chains pass with
 * their cumulative work, across devnet-style retargets; each broken rule stops the run at the
 * first bad header with the rule's code and height; resume continues from stored headers.
 */
import { describe, expect, it } from 'vitest';
import { HEADER_LENGTH, encodeHeader } from '../../../src/protocol/block.js';
import type { BlockHeader } from '../../../src/protocol/block.js';
import { HeaderChainVerifier, genesisVerified } from '../../../src/protocol/headerChain.js';
import type { VerifiedHeader } from '../../../src/protocol/headerChain.js';
import { regtest } from '../../../src/protocol/networks.js';
import { workOfBits } from '../../../src/protocol/pow.js';
import { buildHeaders, easyDevnet, encodeHeaders, solveHeader } from '../../helpers/headers.js';

const NOW = regtest.genesis.timestamp + 100_000;

function verifyAll(network = regtest, headers: readonly BlockHeader[], now = NOW) {
  return HeaderChainVerifier.fromGenesis(network).verify(encodeHeaders(headers), now);
}

describe('HeaderChainVerifier', () => {
  it('accepts a valid regtest chain and sums its work', () => {
    const headers = buildHeaders(regtest, 30);
    const v = HeaderChainVerifier.fromGenesis(regtest);
    const r = v.verify(encodeHeaders(headers), NOW);
    expect(r.failure).toBeUndefined();
    expect(r.accepted).toHaveLength(30);
    expect(v.tip.header.height).toBe(30);
    expect(v.tip.cumulativeWork).toBe(31n * workOfBits(regtest.genesisBits));
  });

  it('follows the retarget rule across devnet periods (faster blocks: harder bits)', () => {
    const headers = buildHeaders(easyDevnet, 45, { spacing: 5 });
    expect(new Set(headers.map((h) => h.bits)).size).toBe(3); // retargets at 20 and 40
    const r = verifyAll(easyDevnet, headers);
    expect(r.failure).toBeUndefined();
    expect(r.accepted.at(-1)!.cumulativeWork).toBe(
      [genesisVerified(easyDevnet).header, ...headers].reduce((w, h) => w + workOfBits(h.bits), 0n),
    );
  });

  const failures: [string, () => { headers: BlockHeader[]; network?: typeof regtest }, string, number][] = [
    [
      'bad proof of work',
      () => {
        const headers = buildHeaders(regtest, 6);
        // A nonce whose hash misses the target (about one in two do).
        const bad = headers[3]!;
        for (let nonce = 0n; ; nonce++) {
          const candidate = { ...bad, nonce };
          if (solveHeader(candidate).nonce !== nonce) {
            headers[3] = candidate;
            break;
          }
        }
        return { headers };
      },
      'BLOCK_BAD_POW',
      4,
    ],
    [
      'a broken link',
      () => {
        const headers = buildHeaders(regtest, 6);
        headers[2] = solveHeader({ ...headers[2]!, prevHash: new Uint8Array(32).fill(7) });
        return { headers };
      },
      'HEADERS_BAD_LINK',
      3,
    ],
    [
      'a wrong retarget on regtest (bits must stay at the genesis bits)',
      () => ({ headers: buildHeaders(regtest, 6, { tweak: (h, i) => (i === 4 ? { ...h, bits: 0x2000ffff } : h) }) }),
      'BLOCK_BAD_TARGET',
      5,
    ],
    [
      'a wrong retarget on devnet (the period keeps its old bits)',
      () => ({
        network: easyDevnet,
        headers: buildHeaders(easyDevnet, 25, {
          spacing: 5,
          tweak: (h, i) => (i === 19 ? { ...h, bits: 0x207fffff } : h),
        }),
      }),
      'BLOCK_BAD_TARGET',
      20,
    ],
    [
      'a timestamp not after the median of the last 11',
      () => ({
        headers: buildHeaders(regtest, 15, { tweak: (h, i) => (i === 12 ? { ...h, timestamp: h.timestamp - 20 } : h) }),
      }),
      'BLOCK_TIME_TOO_OLD',
      13,
    ],
    [
      'a timestamp too far ahead of the local clock',
      () => ({
        headers: buildHeaders(regtest, 5, { tweak: (h, i) => (i === 2 ? { ...h, timestamp: NOW + 7201 } : h) }),
      }),
      'BLOCK_TIME_TOO_NEW',
      3,
    ],
    [
      'a height out of sequence',
      () => ({ headers: buildHeaders(regtest, 5, { tweak: (h, i) => (i === 1 ? { ...h, height: 5 } : h) }) }),
      'BLOCK_BAD_HEIGHT',
      2,
    ],
    [
      'a bad version',
      () => ({ headers: buildHeaders(regtest, 3, { tweak: (h, i) => (i === 0 ? { ...h, version: 3 } : h) }) }),
      'BLOCK_BAD_VERSION',
      1,
    ],
  ];

  it.each(failures)('stops at %s', (_name, make, code, height) => {
    const { headers, network } = make();
    const r = verifyAll(network ?? regtest, headers);
    expect(r.failure?.code).toBe(code);
    expect(r.failure?.height).toBe(height);
    expect(r.accepted).toHaveLength(height - 1);
    expect(r.failure?.message.length).toBeGreaterThan(10);
  });

  it('refuses bytes that are not whole headers', () => {
    const bytes = encodeHeaders(buildHeaders(regtest, 2));
    const r = HeaderChainVerifier.fromGenesis(regtest).verify(bytes.subarray(0, HEADER_LENGTH + 1), NOW);
    expect(r.failure).toMatchObject({ code: 'HEADERS_BAD_LENGTH', height: 1 });
  });

  it('resumes from stored headers and follows a heavier branch from the fork point', () => {
    const main = buildHeaders(easyDevnet, 30, { spacing: 10 });
    const all: VerifiedHeader[] = [genesisVerified(easyDevnet)];
    const v = HeaderChainVerifier.fromGenesis(easyDevnet);
    all.push(...v.verify(encodeHeaders(main), NOW).accepted);
    // A branch forking after height 24 (needs the 20 headers before it for the retarget rule).
    const fork = 24;
    const branch = buildHeaders(easyDevnet, 10, {
      spacing: 9,
      base: [all[0]!.header, ...main.slice(0, fork)],
      branch: 1,
    });
    expect(() => HeaderChainVerifier.resume(easyDevnet, all.slice(fork - 5, fork + 1))).toThrow(/needs 20 headers/);
    const resumed = HeaderChainVerifier.resume(easyDevnet, all.slice(fork - 19, fork + 1));
    const r = resumed.verify(encodeHeaders(branch), NOW);
    expect(r.failure).toBeUndefined();
    expect(resumed.tip.header.height).toBe(fork + 10);
    expect(resumed.tip.cumulativeWork > v.tip.cumulativeWork).toBe(true);
    // The main chain's next header does not link onto the branch.
    const again = resumed.verify(encodeHeader(main[fork]!), NOW);
    expect(again.failure?.code).toBe('HEADERS_BAD_LINK');
  });
});
