/**
 * Where transfer sets wait for a worker in the BLS service (multithread.ts): one FIFO per
 * source (a client's IP from the API, a peer id from gossip), taken round-robin so that a
 * source sending thousands of sets delays another's single set by at most the jobs already
 * running; and bounds on what each source and all sources together may have outstanding
 * (waiting, or in a job not answered yet), so a flood costs bounded memory and is refused at
 * once instead of waiting for minutes.
 *
 * Memory: a queued set costs the service about 0.5 KB of heap (its task, promise and
 * closures, its cache key, its entry in the copy map: 498 bytes measured on Node 20 with
 * 16,384 queued), plus the set's own byte arrays (a 48-byte key, a ~100-byte message and a
 * 96-byte signature): about 0.75 KB in all, so the default total bound holds about 12 MB. The
 * callers keep their requests meanwhile (the API a parsed body, at most the body limit each),
 * which the per-source bound and the API's admission gate keep to a few per client.
 *
 * The node's own sets (no source: the mempool reloading its store, transfers fetched to rebuild
 * a block) are queued in the same round-robin under LOCAL_SOURCE but never bounded or pushed
 * out: their number is bounded by the store and the block size already.
 */
import { LruCache } from '../../crypto/lruCache.js';

/** Most transfer sets one source may have outstanding (two requests of 1,000; ~1.5 MB). */
export const DEFAULT_MAX_QUEUED_PER_SOURCE = 2_048;
/** Most transfer sets all sources together may have outstanding (~4 s of work for 2 cores; ~12 MB). */
export const DEFAULT_MAX_QUEUED_TRANSFERS = 16_384;
/** The source of the node's own sets. */
export const LOCAL_SOURCE = '';
/** Sources whose recent verdicts are remembered (an entry is ~100 bytes: ~0.4 MB). */
export const SOURCES_REMEMBERED = 4_096;
/** How long a source whose sets failed stays suspect after its last failure. */
export const SUSPECT_MS = 60_000;
/** Most sets in a job of a suspect source's (about 30 ms of one-by-one verification). */
export const SUSPECT_JOB_SETS = 16;

/**
 * What a source's recent sets were worth. A source is suspect while it has had more sets fail
 * than verify (since its last failure less than SUSPECT_MS ago): its sets then go to jobs of
 * their own, so a junk batch never shares a batch verification with another source's sets and
 * cannot make them wait for its bisection, and when the queue is under pressure it is refused
 * before its request is even read. Its sets go to a worker only when no other source's are
 * waiting, in jobs of their own.
 */
interface Standing {
  verified: number;
  failed: number;
  lastFailure: number;
}

/** A FIFO with O(1) removal at the head (a flood may queue many thousands of sets). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts items back at the head, in their order. */
  unshift(items: readonly T[]): void {
    if (items.length <= this.head) {
      this.head -= items.length;
      items.forEach((item, i) => (this.items[this.head + i] = item));
    } else {
      this.items = [...items, ...this.items.slice(this.head)];
      this.head = 0;
    }
  }

  peek(): T | undefined {
    return this.length > 0 ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The newest item, taken off the tail. */
  pop(): T | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }

  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

interface SourceState<T> {
  readonly source: string;
  readonly queue: Fifo<T>;
  /** Sets queued here, or taken into a job and not answered yet. */
  outstanding: number;
  /** In the round-robin ring (a source with an empty queue may linger there; it is skipped). */
  inRing: boolean;
}

/** The outcome of asking for room for one more set of a source. */
export type Room<T> = { readonly ok: false } | { readonly ok: true; readonly pushedOut?: T };

export class FairTransferQueue<T extends { readonly source: string }> {
  private readonly sources = new Map<string, SourceState<T>>();
  private readonly standing = new LruCache<Standing>(SOURCES_REMEMBERED);
  private readonly ring = new Fifo<SourceState<T>>();
  private queued = 0;
  /** Outstanding sets of every source but LOCAL_SOURCE. */
  private total = 0;

  constructor(
    readonly maxPerSource: number = DEFAULT_MAX_QUEUED_PER_SOURCE,
    readonly maxTotal: number = DEFAULT_MAX_QUEUED_TRANSFERS,
  ) {
    for (const [name, n] of [
      ['maxQueuedPerSource', maxPerSource],
      ['maxQueuedTransfers', maxTotal],
    ] as const)
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  }

  /** Sets waiting for a job. */
  get length(): number {
    return this.queued;
  }

  /** Outstanding sets of every source but LOCAL_SOURCE (never above `maxTotal`). */
  get outstandingTotal(): number {
    return this.total;
  }

  outstanding(source: string): number {
    return this.sources.get(source)?.outstanding ?? 0;
  }

  /**
   * Whether a set of `source` would find room: it has less than `maxPerSource` outstanding,
   * and either the total is under its bound or the source is under its fair share of it.
   */
  admits(source: string): boolean {
    if (source === LOCAL_SOURCE) return true;
    // Under pressure (half the bound taken), a source whose recent sets failed waits its turn
    // outside: reading and parsing its next batch would cost this thread more than its share.
    if (this.total * 2 >= this.maxTotal && this.isSuspect(source)) return false;
    // Full: only a source whose sets verified lately may still come in (under its fair share).
    // A source never seen waits: hundreds of fresh addresses, each under its share, kept the
    // main thread parsing junk it could not verify for seconds.
    if (this.total >= this.maxTotal && !this.hasVerified(source)) return false;
    const n = this.outstanding(source);
    return n < this.maxPerSource && (this.total < this.maxTotal || n < this.fairShare(source));
  }

  /** Whether some of `source`'s recent sets verified and it is not suspect. */
  hasVerified(source: string, now = Date.now()): boolean {
    const s = this.standing.get(source);
    return s !== undefined && s.verified > 0 && !this.isSuspect(source, now);
  }

  /** Whether more of `source`'s recent sets failed than verified (see Standing). */
  isSuspect(source: string, now = Date.now()): boolean {
    if (source === LOCAL_SOURCE) return false;
    const s = this.standing.get(source);
    return s !== undefined && s.failed > s.verified && now - s.lastFailure < SUSPECT_MS;
  }

  /**
   * Room for one more set of `source`, counted as outstanding from now on (call `push` with
   * it, then `done` once it is answered). When every slot is taken, a source under its fair
   * share takes the newest queued set of the source that has the most queued: that set is
   * returned as `pushedOut`, no longer counted, for the caller to refuse.
   */
  reserve(source: string): Room<T> {
    if (source === LOCAL_SOURCE) {
      this.stateOf(source).outstanding++;
      return { ok: true };
    }
    const n = this.outstanding(source);
    let pushedOut: T | undefined;
    if (n >= this.maxPerSource) return { ok: false };
    if (this.total >= this.maxTotal) {
      if (n >= this.fairShare(source)) return { ok: false };
      pushedOut = this.pushOutFrom(this.largestBeyond(n + 1, source));
      if (pushedOut === undefined) return { ok: false };
    }
    this.stateOf(source).outstanding++;
    this.total++;
    return pushedOut === undefined ? { ok: true } : { ok: true, pushedOut };
  }

  /** Queues a set whose room was reserved. */
  push(item: T): void {
    const state = this.stateOf(item.source);
    state.queue.push(item);
    this.queued++;
    if (!state.inRing) {
      state.inRing = true;
      this.ring.push(state);
    }
  }

  /**
   * Up to `max` queued sets, one from each source in turn; they stay outstanding. Suspect
   * sources come last: only when no other source has a set waiting does one of them, in turn,
   * get a job of its own, of at most SUSPECT_JOB_SETS (a job of junk runs one verification a
   * set, so a short one keeps the next honest set's wait short).
   */
  take(max: number): T[] {
    const taken: T[] = [];
    const now = Date.now();
    // Sources passed over since the last set taken: once every source in the ring was passed
    // over, only suspect ones are left.
    let passed = 0;
    while (taken.length < max && passed < this.ring.length) {
      const state = this.ring.shift()!;
      if (state.queue.length === 0) {
        state.inRing = false;
        continue;
      }
      if (this.isSuspect(state.source, now)) {
        this.ring.push(state);
        passed++;
        continue;
      }
      taken.push(state.queue.shift()!);
      this.queued--;
      passed = 0;
      if (state.queue.length > 0) this.ring.push(state);
      else state.inRing = false;
    }
    if (taken.length > 0) return taken;
    for (let state = this.ring.shift(); state; state = this.ring.shift()) {
      if (state.queue.length === 0) {
        state.inRing = false;
        continue;
      }
      while (taken.length < Math.min(max, SUSPECT_JOB_SETS) && state.queue.length > 0) {
        taken.push(state.queue.shift()!);
        this.queued--;
      }
      if (state.queue.length > 0) this.ring.push(state);
      else state.inRing = false;
      break;
    }
    return taken;
  }

  /** Puts taken sets back at the head of their sources' queues, and those sources first in turn. */
  putBack(items: readonly T[]): void {
    const bySource = new Map<SourceState<T>, T[]>();
    for (const item of items) {
      const state = this.stateOf(item.source);
      const list = bySource.get(state);
      if (list) list.push(item);
      else bySource.set(state, [item]);
    }
    const back: SourceState<T>[] = [];
    for (const [state, list] of bySource) {
      state.queue.unshift(list);
      this.queued += list.length;
      if (!state.inRing) {
        state.inRing = true;
        back.push(state);
      }
    }
    this.ring.unshift(back);
  }

  /**
   * A set taken into a job was answered (or failed): it no longer counts. `verified` is its
   * verdict when it had one (true: the signature verified), for its source's standing.
   */
  done(item: T, verified?: boolean): void {
    if (verified !== undefined && item.source !== LOCAL_SOURCE) this.recordVerdict(item.source, verified);
    const state = this.sources.get(item.source);
    if (!state) return;
    state.outstanding--;
    if (item.source !== LOCAL_SOURCE) this.total--;
    this.forgetIfIdle(state);
  }

  /** Every queued set, taken out (on close). */
  drain(): T[] {
    const rest = [...this.sources.values()].flatMap((state) => state.queue.drain());
    this.sources.clear();
    this.ring.drain();
    this.queued = 0;
    this.total = 0;
    return rest;
  }

  private recordVerdict(source: string, verified: boolean): void {
    const now = Date.now();
    let s = this.standing.get(source);
    // A standing whose last failure is old starts again: a suspect source is forgiven in time.
    if (!s || (s.failed > 0 && now - s.lastFailure >= SUSPECT_MS)) s = { verified: 0, failed: 0, lastFailure: 0 };
    if (verified) s.verified++;
    else {
      s.failed++;
      s.lastFailure = now;
    }
    this.standing.set(source, s);
  }

  /** An equal part of `maxTotal` for each source with sets outstanding, `source` included. */
  private fairShare(source: string): number {
    const sources = this.sources.size - (this.sources.has(LOCAL_SOURCE) ? 1 : 0) + (this.sources.has(source) ? 0 : 1);
    return Math.floor(this.maxTotal / sources);
  }

  /** The source (other than `except`) with the most queued sets, if it has at least `atLeast`. */
  private largestBeyond(atLeast: number, except: string): SourceState<T> | undefined {
    let largest: SourceState<T> | undefined;
    for (const state of this.sources.values()) {
      if (state.source === LOCAL_SOURCE || state.source === except) continue;
      if (state.queue.length >= atLeast && (!largest || state.queue.length > largest.queue.length)) largest = state;
    }
    return largest;
  }

  private pushOutFrom(state: SourceState<T> | undefined): T | undefined {
    const item = state?.queue.pop();
    if (!state || item === undefined) return undefined;
    this.queued--;
    state.outstanding--;
    this.total--;
    this.forgetIfIdle(state);
    return item;
  }

  private stateOf(source: string): SourceState<T> {
    let state = this.sources.get(source);
    if (!state) {
      state = { source, queue: new Fifo<T>(), outstanding: 0, inRing: false };
      this.sources.set(source, state);
    }
    return state;
  }

  private forgetIfIdle(state: SourceState<T>): void {
    if (state.outstanding === 0 && state.queue.length === 0 && this.sources.get(state.source) === state)
      this.sources.delete(state.source);
  }
}
