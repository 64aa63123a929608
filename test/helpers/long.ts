/**
 * One switch for the long runs: `npm run test:long` sets OURCOIN_TEST_LONG=1, and the soak,
 * fuzz and crash tests scale their counts and durations up; `npm test` runs the short
 * versions of the same tests.
 */
export const LONG = process.env.OURCOIN_TEST_LONG === '1';

/** `short` in `npm test`, `long` in `npm run test:long`. */
export function scaled<T>(short: T, long: T): T {
  return LONG ? long : short;
}
