/**
 * One progress bar on the terminal (cli-progress) for what takes long in `ourcoin node`: a
 * reindex and catching up from peers. Log lines written meanwhile are printed above the bar
 * instead of through it.
 */
import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';

export interface ProgressStep {
  /** What runs: 'reindex', 'sync'. */
  readonly label: string;
  readonly height: number;
  readonly targetHeight: number;
  readonly blocksPerSecond: number;
}

export class ProgressDisplay {
  private multi: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private label = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  /** Writes a log line: above the bar while one shows. */
  write(line: string): void {
    if (this.multi) this.multi.log(line.endsWith('\n') ? line : `${line}\n`);
    else this.stream.write(line);
  }

  /** Shows (or moves) the bar at `step`. */
  update(step: ProgressStep): void {
    const payload = { label: step.label, rate: step.blocksPerSecond.toFixed(1) };
    if (!this.multi || !this.bar || this.label !== step.label) {
      this.stop();
      this.label = step.label;
      this.multi = new MultiBar(
        {
          stream: this.stream,
          format: '{label} [{bar}] {percentage}% | block {value} of {total} | {rate} blocks/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      this.bar = this.multi.create(step.targetHeight, step.height, payload);
      return;
    }
    this.bar.setTotal(step.targetHeight);
    this.bar.update(step.height, payload);
  }

  /** Removes the bar, drawn last at `height` if given (it stays on screen). Safe to call without one. */
  stop(height?: number): void {
    if (height !== undefined) this.bar?.update(height);
    this.multi?.stop();
    this.multi = undefined;
    this.bar = undefined;
  }
}
