/**
 * Amounts: integers of base units, `bigint` in code, decimal strings in JSON.
 *
 * 1 OUR = 10^8 base units. MAX_MONEY bounds every amount, fee and balance; since the subsidy
 * schedule can never issue more than MAX_MONEY, no sum the rules compute can leave u64.
 */
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';

export const DECIMALS = 8;
export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;

export const AmountErrorCode = {
  invalid: 'AMOUNT_INVALID',
  outOfRange: 'AMOUNT_OUT_OF_RANGE',
  tooPrecise: 'AMOUNT_TOO_PRECISE',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    amount: CodeOf<typeof AmountErrorCode>;
  }
}

export function isMoneyRange(n: bigint): boolean {
  return n >= 0n && n <= MAX_MONEY;
}

/** Parses a JSON amount: a decimal string of base units, no sign, no leading zeros. */
export function parseBaseUnits(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new OurCoinError(
      AmountErrorCode.invalid,
      `${field}: expected a decimal string of base units, like "150000000"`,
      'input',
    );
  }
  // MAX_MONEY has 16 digits: longer strings are out of range without parsing them.
  const n = value.length > 19 ? MAX_MONEY + 1n : BigInt(value);
  if (!isMoneyRange(n)) {
    throw new OurCoinError(
      AmountErrorCode.outOfRange,
      `${field}: ${value} exceeds the maximum supply ${MAX_MONEY}`,
      'input',
    );
  }
  return n;
}

/** Parses a user amount in OUR ("1.5", "0.00000001") exactly, without floating point. */
export function parseCoins(value: string, field = 'amount'): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value.trim());
  if (!m)
    throw new OurCoinError(AmountErrorCode.invalid, `${field}: "${value}" is not a decimal number of OUR`, 'input');
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) {
    throw new OurCoinError(
      AmountErrorCode.tooPrecise,
      `${field}: at most ${DECIMALS} decimal places (1 base unit = 0.00000001 OUR)`,
      'input',
    );
  }
  const n = BigInt(m[1]!) * COIN + BigInt(frac.padEnd(DECIMALS, '0') || '0');
  if (!isMoneyRange(n))
    throw new OurCoinError(AmountErrorCode.outOfRange, `${field}: exceeds the maximum supply`, 'input');
  return n;
}

/** Formats base units as OUR with trailing zeros trimmed: 150000000n -> "1.5". */
export function formatCoins(n: bigint): string {
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  const whole = abs / COIN;
  const frac = (abs % COIN).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? '.' + frac : ''}`;
}
