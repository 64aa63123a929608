/**
 * The node's own log lines: a validated level and format, a log file of JSON lines, and a
 * status line only when something changed (or as a rare heartbeat).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LOG_LEVELS,
  STATUS_HEARTBEAT_MS,
  StatusLine,
  buildNodeLogger,
  choiceOption,
} from '../../../src/cli/logging.js';
import { OurCoinError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-logging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('choiceOption', () => {
  it('takes an allowed value and refuses any other naming them all, with exit code 2', () => {
    const level = choiceOption(LOG_LEVELS);
    expect(level('debug')).toBe('debug');
    let err: unknown;
    try {
      level('verbose');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).message).toBe(`expected one of ${LOG_LEVELS.join(', ')}`);
    expect((err as InvalidArgumentError).exitCode).toBe(2);
  });
});

describe('buildNodeLogger', () => {
  it('appends JSON lines to the log file, at the chosen level', () => {
    const file = join(dir, 'node.log');
    const { logger, close } = buildNodeLogger({ level: 'warn', format: 'json', file, isTTY: false });
    logger.info('not at this level');
    logger.warn({ height: 7 }, 'kept');
    close();
    const again = buildNodeLogger({ level: 'info', format: 'json', file, isTTY: false });
    again.logger.info('appended');
    again.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual(['kept', 'appended']);
    expect(lines[0]).toMatchObject({ height: 7, level: 40 });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('refuses a log file it cannot open, before logging anything', () => {
    expect(() => buildNodeLogger({ level: 'info', file: join(dir, 'missing', 'x.log'), isTTY: false })).toThrow(
      OurCoinError,
    );
  });

  it('writes readable lines on a terminal and JSON elsewhere unless told', () => {
    expect(buildNodeLogger({ level: 'info', isTTY: true }).format).toBe('pretty');
    expect(buildNodeLogger({ level: 'info', isTTY: false }).format).toBe('json');
    expect(buildNodeLogger({ level: 'info', isTTY: true, format: 'json' }).format).toBe('json');
  });
});

describe('StatusLine', () => {
  const at = (height: number, peers = 1, mempool = 0) => ({
    height,
    tip: `0x${height}`,
    peers,
    mempool,
    hashRate: 1000 + height,
  });

  it('logs the first check, then only changes of tip, peers or mempool, and a heartbeat', () => {
    const status = new StatusLine();
    expect(status.due(at(1), 0)).toBe(true);
    expect(status.due({ ...at(1), hashRate: 5 }, 10_000)).toBe(false);
    expect(status.due(at(2), 20_000)).toBe(true);
    expect(status.due(at(2, 2), 30_000)).toBe(true);
    expect(status.due(at(2, 2, 5), 40_000)).toBe(true);
    expect(status.due(at(2, 2, 5), 40_000 + STATUS_HEARTBEAT_MS - 1)).toBe(false);
    expect(status.due(at(2, 2, 5), 40_000 + STATUS_HEARTBEAT_MS)).toBe(true);
    expect(status.due(at(2, 2, 5), 40_000 + STATUS_HEARTBEAT_MS + 1)).toBe(false);
  });
});
