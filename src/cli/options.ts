/**
 * Parsers for commander option values shared by every `ourcoin` command, so that one flag
 * accepts exactly what another does.
 */
import { InvalidArgumentError } from 'commander';

/** Plain decimal only: `Number()` would also take `1e1`, `0x10`, `' 12 '` and `''` (as 0). */
const DECIMAL_INTEGER = /^-?\d+$/;

/** An integer flag from `min` to `max` (inclusive); anything else is refused naming the range. */
export function integerOption(min: number, max: number): (value: string) => number {
  return (value: string): number => {
    const n = DECIMAL_INTEGER.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    // `-0` passes a range that starts at 0; hand back the plain zero.
    return n === 0 ? 0 : n;
  };
}
