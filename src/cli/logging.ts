/**
 * The node's logger and what it prints on its own: readable lines with local times on a
 * terminal, JSON lines otherwise (or as `--log-format` says), a copy in JSON to `--log-file`,
 * and the periodic status line only when something changed, plus a rare heartbeat.
 */
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { OurCoinError } from '../errors.js';
import { CliErrorCode } from './interface.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * A flag that takes one of `allowed`: anything else is refused naming them all, with exit
 * code 2 like every other bad input (commander's own choices() exits 1).
 */
export function choiceOption<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const err = new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    err.exitCode = 2;
    throw err;
  };
}

export interface NodeLoggerOptions {
  readonly level: LogLevel;
  /** Absent: pretty when the console stream is a terminal, else JSON lines. */
  readonly format?: LogFormat;
  /** Also append JSON lines to this file. */
  readonly file?: string;
  /** Where readable lines go (a progress display keeps them off its bar); default standard error. */
  readonly prettyOut?: { write(line: string): void };
  readonly isTTY?: boolean;
}

export interface NodeLogger {
  readonly logger: Logger;
  readonly format: LogFormat;
  /** Closes the log file (the console stream stays open). */
  readonly close: () => void;
}

/** Builds the node's logger; a log file that cannot be opened is refused before anything starts. */
export function buildNodeLogger(opts: NodeLoggerOptions): NodeLogger {
  const isTTY = opts.isTTY ?? process.stderr.isTTY === true;
  const format = opts.format ?? (isTTY ? 'pretty' : 'json');
  // pino-pretty as a stream in this thread: a transport would start a worker thread per process.
  const consoleStream: DestinationStream =
    format === 'pretty'
      ? PinoPretty({
          destination: opts.prettyOut ? lineWriter(opts.prettyOut) : 2,
          sync: true,
          colorize: isTTY,
          translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
          ignore: 'pid,hostname',
          singleLine: true,
        })
      : pino.destination({ fd: 2, sync: true });
  let fileFd: number | undefined;
  const streams: pino.StreamEntry[] = [
    { level: opts.level === 'silent' ? 'fatal' : opts.level, stream: consoleStream },
  ];
  if (opts.file) {
    const path = resolve(opts.file);
    try {
      fileFd = openSync(path, 'a', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new OurCoinError(CliErrorCode.logFileUnwritable, `cannot open log file ${path} (${code})`, 'input');
    }
    streams.push({
      level: opts.level === 'silent' ? 'fatal' : opts.level,
      stream: pino.destination({ fd: fileFd, sync: true }),
    });
  }
  const logger = pino(
    { level: opts.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
  return {
    logger,
    format,
    close: () => {
      if (fileFd !== undefined) closeSync(fileFd);
      fileFd = undefined;
    },
  };
}

/** pino-pretty pipes into a stream: one that hands each chunk on. */
function lineWriter(out: { write(line: string): void }): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done): void {
      out.write(chunk.toString());
      done();
    },
  });
}

/** What the status line reports; a change in any field but the hash rate makes a new line. */
export interface StatusSnapshot {
  readonly height: number;
  readonly tip: string;
  readonly peers: number;
  readonly mempool: number;
  readonly hashRate: number | null;
}

/** A status line at most this often when nothing changes, so a quiet node still shows it lives. */
export const STATUS_HEARTBEAT_MS = 5 * 60_000;

/**
 * Decides when the periodic status check is worth a line: at the first check, when the tip,
 * the peer count or the mempool changed, and otherwise every STATUS_HEARTBEAT_MS.
 */
export class StatusLine {
  private last: StatusSnapshot | undefined;
  private lastAt = 0;

  constructor(private readonly heartbeatMs = STATUS_HEARTBEAT_MS) {}

  /** Whether to log `now`'s snapshot (and remembers it if so). */
  due(snapshot: StatusSnapshot, nowMs: number): boolean {
    const last = this.last;
    const changed =
      last === undefined ||
      last.tip !== snapshot.tip ||
      last.peers !== snapshot.peers ||
      last.mempool !== snapshot.mempool;
    if (!changed && nowMs - this.lastAt < this.heartbeatMs) return false;
    this.last = snapshot;
    this.lastAt = nowMs;
    return true;
  }
}
