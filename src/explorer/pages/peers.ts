/**
 * Peers: this node's peer id and listen addresses, and the peers it is connected to.
 */
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { h, short } from '../dom.js';
import { card, fields, page, table } from './parts.js';

interface PeerJson {
  peerId: string;
  address: string;
  direction: string;
  height: number | null;
  score: number;
  network: string | null;
}

export async function peersPage(ctx: AppContext): Promise<HTMLElement> {
  const peers = await getJson<PeerJson[]>('/peers');
  const p2p = ctx.status.p2p;
  return page(
    'Peers',
    h('h1', {}, 'Peers'),
    card(
      'This node',
      p2p
        ? fields([
            ['Peer id', h('span', { class: 'mono wrap' }, p2p.peerId)],
            ['Listening on', h('div', {}, ...p2p.multiaddrs.map((a) => h('div', { class: 'mono wrap' }, a)))],
          ])
        : h('p', { class: 'muted' }, 'Peer-to-peer networking is off on this node.'),
    ),
    card(
      `Connected peers (${peers.length})`,
      table(
        ['Peer id', 'Address', 'Direction', 'Height', 'Score'],
        peers.map((p) => [
          h('span', { class: 'mono' }, short(p.peerId, 8)),
          h('span', { class: 'mono wrap' }, p.address),
          p.direction,
          p.height ?? '—',
          p.score,
        ]),
        { id: 'peers' },
      ),
    ),
  );
}
