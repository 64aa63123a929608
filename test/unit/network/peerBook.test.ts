/**
 * The peer book (src/network/peerBook.ts): scores, the ban threshold, ban expiry, the
 * request rate window, handshake readiness and silent inbound peers, on an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { BAN_MS, BAN_THRESHOLD, PeerBook, Penalty, REQUEST_LIMIT } from '../../../src/network/peerBook.js';
import type { PeerStatus } from '../../../src/network/messages.js';
import { FIRST_STATUS_MS, INBOUND_SILENCE_MS } from '../../../src/network/timeouts.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const status: PeerStatus = {
  version: 1,
  networkName: 'regtest',
  chainId: 0x4f555252,
  genesisHash: new Uint8Array(32),
  tipHash: new Uint8Array(32),
  height: 3,
  cumulativeWork: 8n,
};

describe('PeerBook', () => {
  it('adds a peer once, at score 0, stamped with the clock', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    const a = book.add('A', 'outbound', '/ip4/127.0.0.1/tcp/1');
    expect(a).toMatchObject({ peerId: 'A', direction: 'outbound', score: 0, connectedAt: 1_000_000 });
    c.advance(5);
    expect(book.add('A', 'inbound', 'elsewhere')).toBe(a);
    expect(book.all()).toHaveLength(1);
    book.remove('A');
    expect(book.get('A')).toBeUndefined();
    expect(book.all()).toEqual([]);
  });

  it('lists a peer as ready only once its handshake status is known', () => {
    const book = new PeerBook();
    book.add('A', 'outbound', '');
    const b = book.add('B', 'inbound', '');
    expect(book.ready()).toEqual([]);
    b.status = status;
    expect(book.ready().map((p) => p.peerId)).toEqual(['B']);
  });

  it('lowers the score by each penalty and bans at the threshold, not before', () => {
    const book = new PeerBook();
    book.add('A', 'inbound', '');
    expect(book.penalize('A', Penalty.malformedMessage)).toBe(false);
    expect(book.penalize('A', Penalty.malformedMessage)).toBe(false);
    expect(book.penalize('A', Penalty.malformedMessage)).toBe(false);
    expect(book.get('A')!.score).toBe(-75);
    expect(book.isBanned('A')).toBe(false);
    expect(book.penalize('A', 24)).toBe(false); // -99
    expect(book.isBanned('A')).toBe(false);
    expect(book.penalize('A', 1)).toBe(true); // -100 = BAN_THRESHOLD
    expect(book.get('A')!.score).toBe(BAN_THRESHOLD);
    expect(book.isBanned('A')).toBe(true);
  });

  it('bans at once for an invalid block or a peer on another network', () => {
    const book = new PeerBook();
    book.add('A', 'inbound', '');
    book.add('B', 'inbound', '');
    expect(book.penalize('A', Penalty.invalidBlock)).toBe(true);
    expect(book.penalize('B', Penalty.wrongNetwork)).toBe(true);
    expect(book.isBanned('A') && book.isBanned('B')).toBe(true);
  });

  it('takes ten flood penalties, five invalid transfers, twenty unrequested answers or four mutated blocks to ban', () => {
    for (const [amount, times] of [
      [Penalty.flood, 10],
      [Penalty.invalidTransaction, 5],
      [Penalty.unrequested, 20],
      [Penalty.mutatedBlock, 4],
    ] as const) {
      const book = new PeerBook();
      book.add('A', 'inbound', '');
      const verdicts = Array.from({ length: times }, () => book.penalize('A', amount));
      expect(verdicts.slice(0, -1).every((v) => !v)).toBe(true);
      expect(verdicts.at(-1)).toBe(true);
    }
  });

  it('ignores penalties for a peer it does not know', () => {
    const book = new PeerBook();
    expect(book.penalize('ghost', 1000)).toBe(false);
    expect(book.isBanned('ghost')).toBe(false);
    expect(book.countRequest('ghost')).toBe(false);
  });

  it('lifts a ban after BAN_MS (10 minutes), and a custom one after its own time', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    expect(BAN_MS).toBe(600_000);
    book.ban('A');
    c.advance(BAN_MS - 1);
    expect(book.isBanned('A')).toBe(true);
    c.advance(1);
    expect(book.isBanned('A')).toBe(false);
    // Expired bans are forgotten, not just ignored.
    c.advance(-BAN_MS);
    expect(book.isBanned('A')).toBe(false);

    book.ban('B', 5000);
    c.advance(4999);
    expect(book.isBanned('B')).toBe(true);
    c.advance(1);
    expect(book.isBanned('B')).toBe(false);
  });

  it('a ban outlives the connection: removing the peer keeps it banned', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    book.add('A', 'inbound', '');
    book.penalize('A', Penalty.invalidBlock);
    book.remove('A');
    expect(book.isBanned('A')).toBe(true);
    c.advance(BAN_MS);
    expect(book.isBanned('A')).toBe(false);
  });

  it('allows 200 requests in a 10 s window; each one past that is flagged; a new window starts clean', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    book.add('A', 'inbound', '');
    expect(REQUEST_LIMIT).toEqual({ count: 200, windowMs: 10_000 });
    for (let i = 0; i < REQUEST_LIMIT.count; i++) expect(book.countRequest('A')).toBe(false);
    expect(book.countRequest('A')).toBe(true);
    expect(book.countRequest('A')).toBe(true);
    // The window is measured from its first request: still inside at exactly windowMs.
    c.advance(REQUEST_LIMIT.windowMs);
    expect(book.countRequest('A')).toBe(true);
    c.advance(1);
    expect(book.countRequest('A')).toBe(false);
    expect(book.get('A')!.requests).toEqual({ windowStart: c.now(), count: 1 });
  });

  it('counts requests per peer', () => {
    const book = new PeerBook(clock().now);
    book.add('A', 'inbound', '');
    book.add('B', 'inbound', '');
    for (let i = 0; i < REQUEST_LIMIT.count; i++) book.countRequest('A');
    expect(book.countRequest('A')).toBe(true);
    expect(book.countRequest('B')).toBe(false);
  });
});

describe('PeerBook.silentInbound', () => {
  const silent = (book: PeerBook): string[] => book.silentInbound().map((s) => s.entry.peerId);

  it('names an inbound peer that sent no status within FIRST_STATUS_MS, never an outbound one', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    book.add('in', 'inbound', '');
    book.add('out', 'outbound', '');
    c.advance(FIRST_STATUS_MS);
    expect(silent(book)).toEqual([]);
    c.advance(1);
    expect(book.silentInbound()).toEqual([
      { entry: book.get('in'), why: `no status within ${FIRST_STATUS_MS / 1000} s of connecting` },
    ]);
  });

  it('keeps an inbound peer whose status arrived in time, until it stops refreshing for INBOUND_SILENCE_MS', () => {
    const c = clock();
    const book = new PeerBook(c.now);
    const entry = book.add('in', 'inbound', '');
    c.advance(FIRST_STATUS_MS - 1);
    expect(book.recordStatus(entry, status)).toBe(true);
    // Refreshes keep it: each one restarts the silence.
    for (let i = 0; i < 5; i++) {
      c.advance(INBOUND_SILENCE_MS);
      expect(silent(book)).toEqual([]);
      expect(book.recordStatus(entry, status)).toBe(false);
    }
    c.advance(INBOUND_SILENCE_MS + 1);
    expect(book.silentInbound()).toEqual([{ entry, why: `no status for ${INBOUND_SILENCE_MS / 1000} s` }]);
    // A peer that left is not named.
    book.remove('in');
    expect(silent(book)).toEqual([]);
  });
});

describe('PeerBook across reconnects', () => {
  it('keeps a bad score when a peer disconnects and comes back', () => {
    const book = new PeerBook(() => 1000);
    book.add('p', 'inbound', '/ip4/127.0.0.1/tcp/1');
    book.penalize('p', 60);
    book.remove('p');
    expect(book.add('p', 'inbound', '/ip4/127.0.0.1/tcp/1').score).toBe(-60);
    // Another 40 reaches the threshold: the reconnect did not reset the record.
    expect(book.penalize('p', 40)).toBe(true);
    // A peer that left in good standing starts from zero.
    book.add('q', 'outbound', '');
    book.remove('q');
    expect(book.add('q', 'outbound', '').score).toBe(0);
  });
});
