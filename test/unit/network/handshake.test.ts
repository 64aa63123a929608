/**
 * When a status exchange fails, the dialer's policy (Handshake.greet): a peer whose first
 * handshake fails is dropped at once; a ready peer whose refreshes fail is kept, with its last
 * status, until STATUS_REFRESH_FAILURES_ALLOWED fail in a row. And each refresh round
 * (Handshake.refresh): outbound peers greeted, silent inbound ones dropped. The libp2p host
 * here refuses every stream (as a peer that stopped answering would) and records hang-ups.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ChainReader } from '../../../src/chain/interface.js';
import { Handshake } from '../../../src/network/handshake.js';
import { STATUS_VERSION } from '../../../src/network/messages.js';
import { PeerBook } from '../../../src/network/peerBook.js';
import { regtest } from '../../../src/protocol/networks.js';
import { FIRST_STATUS_MS, STATUS_REFRESH_FAILURES_ALLOWED } from '../../../src/network/timeouts.js';

const PEER = 'peer-that-stopped-answering';

const peerId = (id: string): PeerId => ({ toString: () => id }) as unknown as PeerId;

function harness(connections: { direction: 'inbound' | 'outbound'; peer: string }[] = [], now = Date.now) {
  const hangUps: string[] = [];
  const dials: string[] = [];
  const libp2p = {
    getConnections: () => connections.map((c) => ({ direction: c.direction, remotePeer: peerId(c.peer) })),
    dialProtocol: (peer: PeerId, protocol: string) => {
      dials.push(`${peer.toString()} ${protocol}`);
      return Promise.reject(new Error('the peer did not answer'));
    },
    hangUp: (peer: PeerId) => {
      hangUps.push(peer.toString());
      return Promise.resolve();
    },
  } as unknown as Libp2p;
  const chain = {
    tip: { hash: new Uint8Array(32), height: 0, cumulativeWork: 1n },
  } as unknown as ChainReader;
  const book = new PeerBook(now);
  const handshake = new Handshake({
    libp2p,
    network: regtest,
    chain,
    book,
    logger: pino({ level: 'silent' }),
    onStatus: () => undefined,
  });
  const peer = peerId(PEER);
  return { handshake, book, peer, hangUps, dials };
}

describe('Handshake.greet when the peer does not answer', () => {
  it('drops a peer whose first handshake fails', async () => {
    const h = harness();
    h.book.add(PEER, 'outbound', '/ip4/127.0.0.1/tcp/1');
    await h.handshake.greet(h.peer);
    expect(h.dials).toHaveLength(1);
    expect(h.hangUps).toEqual([PEER]);
  });

  it(`keeps a ready peer through ${STATUS_REFRESH_FAILURES_ALLOWED - 1} failed refreshes and drops it at the next`, async () => {
    const h = harness();
    const entry = h.book.add(PEER, 'outbound', '/ip4/127.0.0.1/tcp/1');
    const status = {
      version: STATUS_VERSION,
      networkName: regtest.name,
      chainId: regtest.chainId,
      genesisHash: new Uint8Array(32),
      tipHash: new Uint8Array(32).fill(7),
      height: 12,
      cumulativeWork: 99n,
    };
    entry.status = status;
    for (let i = 1; i < STATUS_REFRESH_FAILURES_ALLOWED; i++) {
      await h.handshake.greet(h.peer);
      expect(h.hangUps).toEqual([]);
      expect(entry.refreshFailures).toBe(i);
      // The last status stands meanwhile: sync still knows where the peer was.
      expect(entry.status).toBe(status);
    }
    await h.handshake.greet(h.peer);
    expect(h.hangUps).toEqual([PEER]);
    expect(h.dials).toHaveLength(STATUS_REFRESH_FAILURES_ALLOWED);
  });
});

describe('Handshake.refresh', () => {
  it('greets every outbound peer and drops the inbound ones that sent no status in time', async () => {
    let t = 1_000_000;
    const h = harness(
      [
        { direction: 'outbound', peer: 'out' },
        { direction: 'inbound', peer: 'greeted' },
        { direction: 'inbound', peer: 'mute' },
      ],
      () => t,
    );
    const status = {
      version: STATUS_VERSION,
      networkName: regtest.name,
      chainId: regtest.chainId,
      genesisHash: new Uint8Array(32),
      tipHash: new Uint8Array(32),
      height: 1,
      cumulativeWork: 2n,
    };
    const out = h.book.add('out', 'outbound', '');
    const greeted = h.book.add('greeted', 'inbound', '');
    h.book.add('mute', 'inbound', '');
    // A peer whose connection is already gone, its close event not yet handled.
    h.book.add('gone', 'inbound', '');
    h.book.recordStatus(out, status);
    h.book.recordStatus(greeted, status);
    h.handshake.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.hangUps).toEqual([]);
    t += FIRST_STATUS_MS + 1;
    h.handshake.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    // 'out' was asked each round (this host refuses streams: two failures, below the limit).
    expect(h.dials).toEqual(['out /ourcoin/handshake/1', 'out /ourcoin/handshake/1']);
    expect(out.refreshFailures).toBe(2);
    // 'mute' never greeted.
    expect(h.hangUps).toEqual(['mute']);
    expect(h.book.get('gone')).toBeUndefined();
    expect(h.book.get('greeted')).toBe(greeted);
  });
});
