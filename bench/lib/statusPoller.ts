/**
 * A second client that polls a node's `GET /api/v1/status` on a fixed schedule (every 20 ms)
 * while something heavy happens, and measures how long each answer takes.
 *
 * Polls go out on schedule whether or not the earlier ones were answered, each on a
 * connection of its own (kept alive and reused once free), so a node that stalls for a second
 * shows as fifty slow polls, not one: the percentiles are not flattered by a client that
 * waits, nor inflated by polls queued behind each other in the client. Each latency runs from
 * the request's start to its last byte.
 *
 * The answers' `eventLoop` field (the node's own event-loop delay over fixed windows) is kept:
 * every distinct window reported after the polling started.
 */
import { performance } from 'node:perf_hooks';
import type { StatusJson } from '../../src/api/json.js';
import { LoopbackClient } from './nodes.js';
import type { HttpReply } from './nodes.js';
import { percentile, sleep } from './stats.js';

export type EventLoopWindow = NonNullable<StatusJson['eventLoop']>;

export interface PollSummary {
  readonly intervalMs: number;
  readonly seconds: number;
  /** Polls sent; answered with 200; anything else (status or error) by kind. */
  readonly polls: number;
  readonly answered: number;
  readonly failed: Readonly<Record<string, number>>;
  /** Ticks skipped because MAX_OUTSTANDING polls were already waiting (the node stalled that long). */
  readonly skipped: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The node's eventLoop windows that completed while polling (the one current at the start excluded). */
  readonly eventLoopWindows: readonly EventLoopWindow[];
}

/** Polls waiting at once (one connection each) before ticks are skipped: 5 s of polls at 20 ms. */
const MAX_OUTSTANDING = 250;

export class StatusPoller {
  private readonly client: LoopbackClient;
  private outstanding = 0;
  private readonly latencies: number[] = [];
  private readonly failed: Record<string, number> = {};
  private readonly pending = new Set<Promise<void>>();
  private readonly windows: string[] = [];
  private firstWindow: string | undefined;
  private polls = 0;
  private answered = 0;
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private tick = 0;
  private running = false;

  /** `subnet`: this client sends from loopback address 127.<subnet>.0.1. */
  constructor(
    port: number,
    subnet: number,
    private readonly intervalMs = 20,
  ) {
    this.client = new LoopbackClient(port, `127.${subnet}.0.1`, MAX_OUTSTANDING);
  }

  private get(): Promise<HttpReply> {
    return this.client.request('GET', '/api/v1/status');
  }

  start(): void {
    this.running = true;
    this.t0 = performance.now();
    this.schedule();
  }

  /** Stops sending, waits for the polls in flight; the client's connections stay open for nextWindow(). */
  async stop(): Promise<PollSummary> {
    this.running = false;
    clearTimeout(this.timer);
    const seconds = (performance.now() - this.t0) / 1000;
    await Promise.all([...this.pending]);
    return {
      intervalMs: this.intervalMs,
      seconds,
      polls: this.polls,
      answered: this.answered,
      failed: { ...this.failed },
      skipped: this.skipped,
      latencyMs: {
        p50: percentile(this.latencies, 50),
        p99: percentile(this.latencies, 99),
        max: this.latencies.length > 0 ? Math.max(...this.latencies) : NaN,
      },
      eventLoopWindows: this.windows.map((w) => JSON.parse(w) as EventLoopWindow),
    };
  }

  /**
   * After stop(): the node's next eventLoop window (the one that covers the end of the run),
   * read every 250 ms; undefined if none appears within `limitMs`.
   */
  async nextWindow(limitMs = 11_000): Promise<EventLoopWindow | undefined> {
    const last = this.windows.at(-1) ?? this.firstWindow;
    const deadline = performance.now() + limitMs;
    while (performance.now() < deadline) {
      const reply = await this.get();
      if (reply.status === 200) {
        const w = JSON.stringify((JSON.parse(reply.body) as StatusJson).eventLoop);
        if (w !== last && w !== 'null') return JSON.parse(w) as EventLoopWindow;
      }
      await sleep(250);
    }
    return undefined;
  }

  close(): void {
    this.client.close();
  }

  private schedule(): void {
    if (!this.running) return;
    this.tick++;
    const due = this.t0 + this.tick * this.intervalMs;
    this.timer = setTimeout(
      () => {
        this.poll();
        this.schedule();
      },
      Math.max(0, due - performance.now()),
    );
  }

  private poll(): void {
    if (this.outstanding >= MAX_OUTSTANDING) {
      this.skipped++;
      return;
    }
    this.polls++;
    this.outstanding++;
    const sent = performance.now();
    const p = this.get().then(
      (reply) => {
        this.latencies.push(performance.now() - sent);
        if (reply.status !== 200) {
          this.fail(`HTTP ${reply.status}`);
          return;
        }
        this.answered++;
        const w = JSON.stringify((JSON.parse(reply.body) as StatusJson).eventLoop);
        if (w === 'null') return;
        if (this.firstWindow === undefined) this.firstWindow = w;
        else if (w !== this.firstWindow && w !== this.windows.at(-1)) this.windows.push(w);
      },
      (err: unknown) => this.fail(err instanceof Error ? err.message : String(err)),
    );
    const tracked = p.finally(() => {
      this.outstanding--;
      this.pending.delete(tracked);
    });
    this.pending.add(tracked);
  }

  private fail(kind: string): void {
    this.failed[kind] = (this.failed[kind] ?? 0) + 1;
  }
}

/** "p50 / p99 / max" of a summary, and the node's own figure. */
export function pollLine(s: PollSummary): string {
  return `p50 ${s.latencyMs.p50.toFixed(1)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms, max ${s.latencyMs.max.toFixed(1)} ms over ${s.polls.toLocaleString('en-US')} polls (${s.answered.toLocaleString('en-US')} answered 200)`;
}

/** The worst of the node's eventLoop windows (p99 and max of the worst window by p99). */
export function worstWindow(windows: readonly (EventLoopWindow | undefined)[]): EventLoopWindow | undefined {
  return windows
    .filter((w): w is EventLoopWindow => w !== undefined)
    .reduce<EventLoopWindow | undefined>((a, w) => (!a || w.p99Ms > a.p99Ms ? w : a), undefined);
}
