/**
 * The explorer's shell: the router (hash routes to pages/*.ts), the search box and the live
 * tip (Server-Sent Events from /api/v1/events). No framework: pages are functions that build
 * DOM. Nothing imports this module; pages get what they need from appContext.ts.
 */
import { ApiFailure, getJson } from './api.js';
import type { SearchResults } from './api.js';
import { loadContext } from './appContext.js';
import type { AppContext } from './appContext.js';
import { h, short } from './dom.js';
import { onLiveStatus, onShellTip, resetLive } from './live.js';
import type { LiveFilter } from './live.js';
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
const searchResults = document.getElementById('search-results')!;
let renderSeq = 0;

/** The transfer events a page shows live (see live.ts). */
function liveFilter(route: Route | undefined): LiveFilter {
  if (route?.page === 'tx') return { txid: route.id.toLowerCase() };
  if (route?.page === 'address') return { address: route.id.toLowerCase() };
  if (route?.page === 'mempool') return { transfers: 'all' };
  return null;
}

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
  resetLive(liveFilter(route));
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

// ---- search: a height, or a prefix / shortened form of a block hash, txid or address ----

const KIND_ROUTE = { block: 'block', transaction: 'tx', address: 'address' } as const;

/** The route of the one match; several matches are listed under the box (undefined). */
async function resolveSearch(raw: string): Promise<string | undefined> {
  const q = raw.trim();
  const found = await getJson<SearchResults>(`/search?q=${encodeURIComponent(q)}`);
  const [first] = found.results;
  if (!first) throw new Error(`no block, transaction or address matches ${short(q)}`);
  // A height stays a height in the URL (#/block/2), as the block pages link it.
  if (found.results.length === 1)
    return `#/${KIND_ROUTE[first.kind]}/${first.kind === 'block' && /^\d+$/.test(q) ? first.height : first.id}`;
  searchMsg.textContent = `${found.results.length}${found.truncated ? '+' : ''} matches:`;
  searchMsg.classList.add('info');
  searchResults.replaceChildren(
    ...found.results.map((r) =>
      h(
        'li',
        { 'data-kind': r.kind },
        h('span', { class: 'badge' }, r.kind === 'transaction' ? 'tx' : r.kind),
        ' ',
        h('a', { href: `#/${KIND_ROUTE[r.kind]}/${r.id}`, class: 'mono' }, short(r.id, 14)),
        r.height === null ? '' : h('span', { class: 'muted' }, ` #${r.height}`),
      ),
    ),
  );
  return undefined;
}

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  searchMsg.textContent = '';
  searchMsg.classList.remove('info');
  searchResults.replaceChildren();
  if (searchInput.value.trim() === '') {
    searchMsg.textContent = 'Type a block height, or the start of a block hash, txid or address.';
    return;
  }
  resolveSearch(searchInput.value).then(
    (route) => {
      if (route === undefined) return;
      searchInput.value = '';
      if (location.hash === route) void render();
      else location.hash = route;
    },
    (err: unknown) => {
      searchMsg.textContent = err instanceof Error ? err.message : String(err);
    },
  );
});

// ---- live updates: the tip badge and the home page (pages register their own, see live.ts) ----

onLiveStatus((on) => liveDot.classList.toggle('on', on));
onShellTip((tip) => {
  updateTip(tip.height);
  // The home page shows the newest blocks and charts over them: it re-renders.
  if (parseRoute(location.hash)?.page === 'home') void render();
});

window.addEventListener('hashchange', () => {
  searchMsg.textContent = '';
  searchResults.replaceChildren();
  void render().then(() => window.scrollTo(0, 0));
});
void render();
