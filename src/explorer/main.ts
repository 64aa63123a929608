/**
 * The explorer's shell: the router (hash routes to pages/*.ts), the search box and the live
 * tip (Server-Sent Events from /api/v1/events). No framework: pages are functions that build
 * DOM. Nothing imports this module; pages get what they need from appContext.ts.
 */
import { ApiFailure, getBlock, getJson } from './api.js';
import type { TipEvent } from './api.js';
import { loadContext } from './appContext.js';
import type { AppContext } from './appContext.js';
import { h } from './dom.js';
import { addressPage } from './pages/address.js';
import { blockPage } from './pages/block.js';
import { homePage } from './pages/home.js';
import { mempoolPage } from './pages/mempool.js';
import { peersPage } from './pages/peers.js';
import { txPage } from './pages/transaction.js';
import { verifyChainPage } from './pages/verifyChain.js';

type Route =
  | { page: 'home' }
  | { page: 'block'; id: string }
  | { page: 'tx'; id: string }
  | { page: 'address'; id: string; n: number }
  | { page: 'mempool' }
  | { page: 'peers' }
  | { page: 'verify'; txid?: string };

function parseRoute(hash: string): Route | undefined {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [page, id, n] = parts;
  if (page === undefined) return { page: 'home' };
  if (page === 'block' && id) return { page: 'block', id };
  if (page === 'tx' && id) return { page: 'tx', id };
  if (page === 'address' && id) return { page: 'address', id, n: Math.max(1, Number(n ?? 1) || 1) };
  if (page === 'mempool') return { page: 'mempool' };
  if (page === 'peers') return { page: 'peers' };
  if (page === 'verify') return id ? { page: 'verify', txid: id } : { page: 'verify' };
  return undefined;
}

const app = document.getElementById('app')!;
const tipBadge = document.getElementById('tip')!;
const liveDot = document.getElementById('live')!;
const searchForm = document.getElementById('search') as HTMLFormElement;
const searchInput = document.getElementById('q') as HTMLInputElement;
const searchMsg = document.getElementById('search-msg')!;
let renderSeq = 0;

/** The page a route shows; `undefined` (no such route) shows "Not found". */
function routeView(ctx: AppContext, route: Route | undefined): Promise<HTMLElement> | HTMLElement {
  switch (route?.page) {
    case undefined:
      return h('section', { class: 'card' }, h('h1', {}, 'Not found'), h('p', {}, 'No such page.'));
    case 'home':
      return homePage(ctx);
    case 'block':
      return blockPage(ctx, route.id);
    case 'tx':
      return txPage(ctx, route.id);
    case 'address':
      return addressPage(ctx, route.id, route.n);
    case 'mempool':
      return mempoolPage(ctx);
    case 'peers':
      return peersPage(ctx);
    case 'verify':
      return verifyChainPage(ctx, route.txid);
  }
}

function errorView(err: unknown): HTMLElement {
  if (err instanceof ApiFailure) {
    return h(
      'section',
      { class: 'card error', 'data-error': err.code },
      h('h1', {}, err.status === 404 ? 'Not found' : 'Error'),
      h('p', {}, err.message),
      h('p', { class: 'muted' }, err.code),
    );
  }
  return h(
    'section',
    { class: 'card error' },
    h('h1', {}, 'Error'),
    h('p', {}, err instanceof Error ? err.message : String(err)),
  );
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  const route = parseRoute(location.hash);
  document
    .querySelectorAll('nav a')
    .forEach((a) =>
      a.classList.toggle('active', a.getAttribute('href') === `#/${route?.page === 'home' ? '' : (route?.page ?? '')}`),
    );
  let view: HTMLElement;
  try {
    const ctx = await loadContext();
    updateTip(ctx.status.height);
    view = await routeView(ctx, route);
  } catch (err) {
    view = errorView(err);
  }
  if (seq !== renderSeq) return; // a newer navigation won
  app.replaceChildren(view);
  app.dataset.page = route?.page ?? 'none';
  document.title = `${view.dataset.title ?? 'Explorer'} · OurCoin`;
}

function updateTip(height: number): void {
  tipBadge.textContent = `tip #${height}`;
  tipBadge.setAttribute('href', `#/block/${height}`);
}

// ---- search: a height, a block hash, a txid or an address ----

async function resolveSearch(raw: string): Promise<string | undefined> {
  const q = raw.trim();
  if (/^\d+$/.test(q)) return `#/block/${Number(q)}`;
  const { network } = await loadContext();
  if (q.toLowerCase().startsWith(network.addressPrefix + '1')) return `#/address/${q.toLowerCase()}`;
  const hex = /^(0x)?[0-9a-f]{64}$/i.test(q) ? '0x' + q.replace(/^0x/i, '').toLowerCase() : undefined;
  if (hex) {
    for (const [path, route] of [
      [`/blocks/${hex}`, `#/block/${hex}`],
      [`/transactions/${hex}`, `#/tx/${hex}`],
    ] as const) {
      try {
        await (path.startsWith('/blocks') ? getBlock(hex) : getJson(path));
        return route;
      } catch (err) {
        if (!(err instanceof ApiFailure && err.status === 404)) throw err;
      }
    }
    throw new Error(`no block or transaction ${hex}`);
  }
  return undefined;
}

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  searchMsg.textContent = '';
  resolveSearch(searchInput.value).then(
    (route) => {
      if (route === undefined)
        searchMsg.textContent = 'Type a block height, a block hash or txid (0x + 64 hex digits), or an address.';
      else {
        searchInput.value = '';
        if (location.hash === route) void render();
        else location.hash = route;
      }
    },
    (err: unknown) => {
      searchMsg.textContent = err instanceof Error ? err.message : String(err);
    },
  );
});

// ---- live updates ----

function connectEvents(): void {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => liveDot.classList.add('on'));
  source.addEventListener('error', () => liveDot.classList.remove('on'));
  source.addEventListener('tip', (event) => {
    const tip = JSON.parse((event as MessageEvent<string>).data) as TipEvent;
    updateTip(tip.height);
    const page = parseRoute(location.hash)?.page;
    // Pages whose content follows the tip re-render; others keep what the reader is looking at.
    if (page === 'home' || page === 'mempool') void render();
  });
}

window.addEventListener('hashchange', () => {
  searchMsg.textContent = '';
  void render().then(() => window.scrollTo(0, 0));
});
connectEvents();
void render();
