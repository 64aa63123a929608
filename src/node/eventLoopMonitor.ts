/**
 * Event-loop health: how long callbacks waited for the main thread (perf_hooks'
 * monitorEventLoopDelay), over fixed windows. A node that keeps its main thread free answers
 * in milliseconds; a pairing or a long synchronous loop on it shows here as seconds.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopDelay } from '../api/context.js';

/** Length of one measuring window. */
export const EVENT_LOOP_WINDOW_MS = 10_000;
/**
 * Sampling resolution of the delay histogram: a timer that wakes the loop this often. A stall
 * longer than it is measured whole whatever the resolution (the sample comes late by that much);
 * 10 ms cost an idle node 100 wake-ups a second, which at 50 nodes a machine was most of its CPU.
 */
export const EVENT_LOOP_RESOLUTION_MS = 50;
const RESOLUTION_MS = EVENT_LOOP_RESOLUTION_MS;

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly timer: NodeJS.Timeout;
  private lastWindow: EventLoopDelay | undefined;

  constructor(private readonly windowMs = EVENT_LOOP_WINDOW_MS) {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.lastWindow = this.read();
      this.histogram.reset();
    }, windowMs);
    this.timer.unref();
  }

  /** The last complete window, or the one under way before the first completes. */
  delay(): EventLoopDelay {
    return this.lastWindow ?? this.read();
  }

  private read(): EventLoopDelay {
    const h = this.histogram;
    // The histogram counts from the sampling resolution up: subtract it to get the wait itself.
    const over = (ns: number): number => Math.max(0, ms(ns) - RESOLUTION_MS);
    return {
      windowSeconds: this.windowMs / 1000,
      p50Ms: h.count === 0 ? 0 : over(h.percentile(50)),
      p99Ms: h.count === 0 ? 0 : over(h.percentile(99)),
      maxMs: h.count === 0 ? 0 : over(h.max),
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
