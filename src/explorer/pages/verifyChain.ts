/**
 * "Verify the chain": the browser light client's page. A Web Worker (lightClient.worker.ts)
 * downloads this node's headers (and a second node's, if the user names one), checks every
 * header's rules with the protocol's own code, keeps the verified chain with the most work in
 * IndexedDB and follows new tips; this page shows its progress and verdicts, and checks a
 * transfer's Merkle proof against the verified chain. The worker outlives the page's renders
 * (one per tab), so coming back to the page does not start over.
 */
import type { AppContext } from '../appContext.js';
import { h } from '../dom.js';
import type { LightMessage, LightRequest } from '../lightClient.worker.js';
import type { ProofVerdict, SourceStatus, SyncProgress, TipInfo } from '../lightClient.js';
import { blockLink, card, fields, formatNumber, page } from './parts.js';

interface LightState {
  worker: Worker;
  tip?: TipInfo;
  progress?: SyncProgress;
  sources: Map<string, SourceStatus>;
  reorg?: { fork: number; from: TipInfo };
  proof?: ProofVerdict;
  idle: boolean;
  error?: string;
  /** A txid to prove once the worker is idle (from #/verify/<txid>). */
  proveWhenIdle?: string;
  /** The page's element while it is rendered (updated in place by the worker's messages). */
  view?: HTMLElement;
}

let state: LightState | undefined;

const send = (s: LightState, r: LightRequest): void => s.worker.postMessage(r);
const origin = (): string => location.origin;
const label = (url: string): string => (url === origin() ? 'this node' : url);

/** Work as people read it: expected hashes, exponent form when large. */
const work = (decimal: string): string => `${formatNumber(Number(decimal))} hashes`;

function start(ctx: AppContext): LightState {
  const worker = new Worker(new URL('../lightClient.worker.ts', import.meta.url), { type: 'module' });
  const s: LightState = { worker, sources: new Map(), idle: false };
  worker.onmessage = (event: MessageEvent<LightMessage>) => {
    const m = event.data;
    // A follow that found nothing new keeps the last download's figures on screen.
    if (m.type === 'progress') s.progress = m.progress.verified > 0 || !s.progress ? m.progress : s.progress;
    else if (m.type === 'source') s.sources.set(m.status.url, m.status);
    else if (m.type === 'tip') {
      s.tip = m.tip;
      if (m.reorg) s.reorg = m.reorg;
    } else if (m.type === 'proof') s.proof = m.verdict;
    else if (m.type === 'error') s.error = m.message;
    if (m.type === 'idle') s.idle = true;
    else if (m.type === 'progress' || (m.type === 'source' && m.status.state === 'syncing')) s.idle = false;
    if (s.idle && s.proveWhenIdle) {
      send(s, { type: 'prove', txid: s.proveWhenIdle });
      s.proveWhenIdle = undefined;
    }
    update(s);
  };
  send(s, { type: 'start', network: ctx.network.name, sources: [origin()] });
  return s;
}

function overall(s: LightState): { state: string; text: string } {
  const invalid = [...s.sources.values()].find((x) => x.state === 'invalid');
  if (invalid?.failure) {
    const f = invalid.failure;
    return {
      state: 'invalid',
      text: `✘ invalid: ${label(invalid.url)} served a header that breaks ${f.code} at height ${f.height}: ${f.message}`,
    };
  }
  if (!s.idle) return { state: 'syncing', text: 'verifying…' };
  if (s.error) return { state: 'error', text: s.error };
  return { state: 'valid', text: `✔ verified up to height ${s.tip?.height ?? 0}` };
}

function sourceText(x: SourceStatus): string {
  switch (x.state) {
    case 'syncing':
      return 'downloading and verifying…';
    case 'agrees':
      return 'serves the verified chain with the most work';
    case 'behind':
      return `behind: its tip is an ancestor (height ${x.tip?.height}) of the verified chain`;
    case 'lighter':
      return `DISAGREES: serves another branch (tip ${x.tip?.height}, work ${work(x.tip?.work ?? '0')}) with less work; not followed`;
    case 'invalid':
      return `INVALID: ${x.failure?.code} at height ${x.failure?.height}: ${x.failure?.message}`;
    case 'unreachable':
      return `unreachable: ${x.error ?? ''}`;
  }
}

function proofView(p: ProofVerdict | undefined): HTMLElement {
  if (!p) return h('div', { id: 'lc-proof', 'aria-live': 'polite' });
  if (!p.ok)
    return h(
      'div',
      { id: 'lc-proof', 'data-ok': 'false', 'data-code': p.code, 'aria-live': 'polite' },
      h('p', { class: 'verdict bad' }, `✘ not proven: ${p.reason}`),
      h('p', { class: 'muted' }, p.code),
    );
  return h(
    'div',
    { id: 'lc-proof', 'data-ok': 'true', 'aria-live': 'polite' },
    h(
      'p',
      { class: 'verdict ok' },
      `✔ included at height ${p.height}, buried under ${p.confirmations} block${p.confirmations === 1 ? '' : 's'} of verified work (${work(p.work)})`,
    ),
    h('p', { class: 'muted' }, 'Block ', blockLink(p.blockHash), ' · txid ', h('span', { class: 'mono wrap' }, p.txid)),
  );
}

/** Re-renders the live parts of the page's last render (harmless when it is no longer shown). */
function update(s: LightState): void {
  const root = s.view;
  if (!root) return;
  const byId = (id: string): HTMLElement => root.querySelector<HTMLElement>(`#${id}`)!;
  const o = overall(s);
  const status = byId('lc-status');
  status.dataset.state = o.state;
  status.textContent = o.text;
  status.className = `verdict ${o.state === 'valid' ? 'ok' : o.state === 'invalid' ? 'bad' : ''}`;
  byId('lc-tip').textContent = s.tip ? `height ${s.tip.height} · ${work(s.tip.work)} · ${s.tip.hash}` : '…';
  const p = s.progress;
  const bar = byId('lc-progress') as HTMLProgressElement;
  // The figures as data too, for the bench (bench/parts/lightClient.ts).
  const rate = byId('lc-rate');
  if (p) {
    rate.dataset.verified = String(p.verified);
    rate.dataset.ms = p.ms.toFixed(1);
    rate.dataset.verifyMs = p.verifyMs.toFixed(1);
    rate.dataset.storeMs = p.storeMs.toFixed(1);
  }
  bar.max = Math.max(1, p?.target ?? 1);
  bar.value = p?.height ?? 0;
  rate.textContent = p
    ? `${formatNumber(Math.round(p.headersPerSecond))} headers/s · ${p.verified} verified in ${Math.round(p.ms)} ms (${label(p.url)})`
    : '';
  byId('lc-reorg').textContent = s.reorg
    ? `Reorg: left height ${s.reorg.from.height} for a branch with more work, forking after height ${s.reorg.fork}.`
    : '';
  const list = byId('lc-sources');
  list.replaceChildren(
    ...[...s.sources.values()].map((x) =>
      h('li', { 'data-state': x.state, 'data-url': x.url }, h('strong', {}, label(x.url)), ': ', sourceText(x)),
    ),
  );
  const disagree = [...s.sources.values()].some((x) => x.state === 'lighter' || x.state === 'invalid');
  byId('lc-disagree').hidden = !(disagree && s.sources.size > 1);
  byId('lc-proof').replaceWith(proofView(s.proof));
}

export function verifyChainPage(ctx: AppContext, txid?: string): HTMLElement {
  state ??= start(ctx);
  const s = state;
  if (txid) {
    s.proof = undefined;
    if (s.idle) send(s, { type: 'prove', txid });
    else s.proveWhenIdle = txid;
  }
  const txInput = h('input', {
    id: 'lc-txid',
    type: 'text',
    placeholder: '0x… txid of a confirmed transfer',
    'aria-label': 'txid',
    spellcheck: 'false',
    value: txid ?? '',
  });
  const secondInput = h('input', {
    id: 'lc-second-url',
    type: 'url',
    placeholder: 'http://127.0.0.1:18330 (run it with --cors-origin)',
    'aria-label': 'second node URL',
  });
  const view = page(
    'Verify the chain',
    h('h1', {}, 'Verify the chain'),
    card(
      'Header chain, verified in your browser',
      h(
        'p',
        { class: 'muted' },
        `Every ${ctx.network.name} header from genesis is checked here, in a Web Worker, with the node's own rule code: proof of work against its bits, the link to its parent, the retarget rule, the median-time-past and future-time limits (your clock), heights, and the sum of work. The verified chain is kept in this browser (IndexedDB) and follows new tips live.`,
      ),
      h('p', { id: 'lc-status', class: 'verdict', 'data-state': 'syncing', 'aria-live': 'polite' }, 'verifying…'),
      fields([
        ['Verified tip', h('span', { id: 'lc-tip', class: 'mono wrap' }, '…')],
        [
          'Progress',
          h(
            'span',
            { class: 'verify-row' },
            h('progress', { id: 'lc-progress', max: 1, value: 0 }),
            h('span', { id: 'lc-rate', class: 'muted' }),
          ),
        ],
      ]),
      h('p', { id: 'lc-reorg', class: 'muted' }),
      h('ul', { id: 'lc-sources' }),
      h(
        'p',
        { id: 'lc-disagree', class: 'verdict bad', hidden: true },
        'The nodes disagree: the chain with the most verified work is followed.',
      ),
      h(
        'form',
        {
          id: 'lc-second',
          class: 'inline-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const url = secondInput.value.trim().replace(/\/+$/, '');
            if (/^https?:\/\/[^\s/]+$/.test(url)) send(s, { type: 'addSource', url });
          },
        },
        secondInput,
        h('button', { type: 'submit' }, 'Also follow this node'),
      ),
      h(
        'p',
        {},
        h(
          'button',
          { type: 'button', id: 'lc-reset', onclick: () => send(s, { type: 'reset' }) },
          'Forget and verify again from genesis',
        ),
      ),
    ),
    card(
      'Is my transfer in the chain?',
      h(
        'form',
        {
          id: 'lc-prove',
          class: 'inline-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            s.proof = undefined;
            update(s);
            send(s, { type: 'prove', txid: txInput.value.trim() });
          },
        },
        txInput,
        h('button', { type: 'submit', class: 'primary' }, 'Check inclusion'),
      ),
      proofView(s.proof),
      h(
        'p',
        { class: 'muted' },
        'What this proves: a block with this much verified work on top committed to this txid (its Merkle proof leads to the txRoot of a header your browser verified). ',
        h('strong', {}, 'What it cannot prove'),
        ' without a state commitment in the header: that the transfer is valid (its signature and its balance), that no other transfer spends the same funds, or that a balance the node shows is complete. Those need the full blocks and the state from genesis, which a full node checks.',
      ),
    ),
  );
  view.id = 'light-client';
  s.view = view;
  update(s);
  return view;
}
