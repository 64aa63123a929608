/**
 * The mempool: pending transfers, highest fee first.
 */
import type { Mempool } from '../api.js';
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { h } from '../dom.js';
import { TRANSFER_COLUMNS, card, page, table, transferCells } from './parts.js';

export async function mempoolPage(_ctx: AppContext): Promise<HTMLElement> {
  const pool = await getJson<Mempool>('/mempool?limit=200');
  return page(
    'Mempool',
    h('h1', {}, 'Mempool'),
    card(
      h('span', { id: 'mempool-count' }, `${pool.count} pending transfer${pool.count === 1 ? '' : 's'}`),
      h(
        'p',
        { class: 'muted' },
        'Highest fee first: the order a miner takes them in. Each still carries its own signature until a block aggregates it.',
      ),
      table(TRANSFER_COLUMNS, pool.transactions.map(transferCells), { id: 'mempool' }),
    ),
  );
}
