/**
 * Live updates: one EventSource on /api/v1/events at a time, asking for the transfer events
 * the current page shows (a transaction's, an address's, all of them on the mempool page, none
 * elsewhere), and the handlers the page registered while it is shown. A navigation drops the
 * page's handlers (`resetLive`) and reopens the stream with the new page's filter, if it differs.
 */
import type { TipEvent, TransferEventJson } from '../api/json.js';

export type LiveFilter = { transfers: 'all' } | { txid: string } | { address: string } | null;

export interface LiveHandlers {
  tip?: (tip: TipEvent) => void;
  transfer?: (event: TransferEventJson) => void;
  /** Events were left out (the node's per-stream bound): reload what the page shows. */
  skipped?: (count: number) => void;
  /** The stream (re)opened: events may have been missed meanwhile. */
  open?: () => void;
}

let source: EventSource | undefined;
let query: string | undefined;
let handlers: LiveHandlers[] = [];
const shellTip: ((tip: TipEvent) => void)[] = [];
const status: ((on: boolean) => void)[] = [];

function queryOf(filter: LiveFilter): string {
  if (filter === null) return '';
  return '?' + new URLSearchParams(filter).toString();
}

/** The shell's own listeners (tip badge, live dot): kept across navigations. */
export function onShellTip(fn: (tip: TipEvent) => void): void {
  shellTip.push(fn);
}
export function onLiveStatus(fn: (on: boolean) => void): void {
  status.push(fn);
}

/** Called by a page while it renders: its handlers live until the next navigation. */
export function live(h: LiveHandlers): void {
  handlers.push(h);
}

/** A navigation: forget the old page's handlers, and follow what the new one shows. */
export function resetLive(filter: LiveFilter): void {
  handlers = [];
  const q = queryOf(filter);
  if (source && q === query) return;
  source?.close();
  query = q;
  const s = (source = new EventSource(`/api/v1/events${q}`));
  s.addEventListener('open', () => {
    for (const fn of status) fn(true);
    for (const h of handlers) h.open?.();
  });
  s.addEventListener('error', () => {
    for (const fn of status) fn(false);
  });
  s.addEventListener('tip', (event) => {
    const tip = JSON.parse((event as MessageEvent<string>).data) as TipEvent;
    for (const fn of shellTip) fn(tip);
    for (const h of [...handlers]) h.tip?.(tip);
  });
  s.addEventListener('transfer', (event) => {
    const e = JSON.parse((event as MessageEvent<string>).data) as TransferEventJson;
    for (const h of [...handlers]) h.transfer?.(e);
  });
  s.addEventListener('skipped', (event) => {
    const { transfers } = JSON.parse((event as MessageEvent<string>).data) as { transfers: number };
    for (const h of [...handlers]) h.skipped?.(transfers);
  });
}

/**
 * Runs `reload` at most once per `ms` however many events ask for it (a burst of transfers
 * costs the page one reload a second), and never two at once.
 */
export function throttled(reload: () => Promise<void>, ms = 1000): () => void {
  let last = 0;
  let timer: number | undefined;
  let running = false;
  const run = (): void => {
    timer = undefined;
    if (running) {
      timer = window.setTimeout(run, ms);
      return;
    }
    running = true;
    last = Date.now();
    reload()
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  };
  return () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(run, Math.max(0, last + ms - Date.now()));
  };
}
