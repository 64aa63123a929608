/**
 * Amounts (src/protocol/amount.ts): parsing and formatting of coins and base units.
 */
import { describe, expect, it } from 'vitest';
import { COIN, MAX_MONEY, formatCoins, parseBaseUnits, parseCoins } from '../../../src/protocol/amount.js';
import { expectCode } from '../../helpers/encoding.js';

// ---------------------------------------------------------------- amounts

describe('amounts', () => {
  it('parseBaseUnits accepts canonical decimal strings up to MAX_MONEY', () => {
    expect(parseBaseUnits('0', 'a')).toBe(0n);
    expect(parseBaseUnits('150000000', 'a')).toBe(150_000_000n);
    expect(parseBaseUnits(MAX_MONEY.toString(), 'a')).toBe(MAX_MONEY);
    expect(MAX_MONEY).toBe(2_100_000_000_000_000n);
  });

  it('parseBaseUnits rejects malformed input with AMOUNT_INVALID', () => {
    for (const bad of ['-1', '01', '00', '1.5', '', ' 1', '1 ', '+1', '1e3', '0x10', 'abc']) {
      expectCode(() => parseBaseUnits(bad, 'a'), 'AMOUNT_INVALID');
    }
    for (const bad of [5, 5n, null, undefined, {}]) expectCode(() => parseBaseUnits(bad, 'a'), 'AMOUNT_INVALID');
  });

  it('parseBaseUnits rejects amounts above MAX_MONEY with AMOUNT_OUT_OF_RANGE', () => {
    expectCode(() => parseBaseUnits((MAX_MONEY + 1n).toString(), 'a'), 'AMOUNT_OUT_OF_RANGE');
    expectCode(() => parseBaseUnits('999999999999999999', 'a'), 'AMOUNT_OUT_OF_RANGE');
  });

  it('parseCoins parses OUR exactly', () => {
    expect(parseCoins('1.5')).toBe(150_000_000n);
    expect(parseCoins('0.00000001')).toBe(1n);
    expect(parseCoins('21000000')).toBe(MAX_MONEY);
    expect(parseCoins('21000000.00000000')).toBe(MAX_MONEY);
    expect(parseCoins('0')).toBe(0n);
    expect(parseCoins('1')).toBe(COIN);
    expect(parseCoins('0.1')).toBe(10_000_000n);
    expect(parseCoins('12345.6789')).toBe(1_234_567_890_000n);
  });

  it('parseCoins rejects bad input with a precise code', () => {
    expectCode(() => parseCoins('0.000000001'), 'AMOUNT_TOO_PRECISE');
    for (const bad of ['abc', '1,5', '-1', '', '.5', '1.', '1e3', '1.2.3'])
      expectCode(() => parseCoins(bad), 'AMOUNT_INVALID');
    expectCode(() => parseCoins('21000000.00000001'), 'AMOUNT_OUT_OF_RANGE');
    expectCode(() => parseCoins('99999999999'), 'AMOUNT_OUT_OF_RANGE');
  });

  it('formatCoins round-trips with parseCoins', () => {
    expect(formatCoins(150_000_000n)).toBe('1.5');
    expect(formatCoins(1n)).toBe('0.00000001');
    expect(formatCoins(0n)).toBe('0');
    expect(formatCoins(COIN)).toBe('1');
    expect(formatCoins(MAX_MONEY)).toBe('21000000');
    expect(formatCoins(-150_000_000n)).toBe('-1.5');
    for (const n of [0n, 1n, 10n, 99_999_999n, COIN, 150_000_000n, 1_234_567_890_123n, MAX_MONEY - 1n, MAX_MONEY]) {
      expect(parseCoins(formatCoins(n))).toBe(n);
    }
  });
});
