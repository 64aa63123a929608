/** The one hash-rate format, shared by the node's status line and the explorer. */
import { describe, expect, it } from 'vitest';
import { formatHashRate } from '../../../src/protocol/pow.js';

describe('formatHashRate', () => {
  it.each([
    [0, '0 H/s'],
    [950.4, '950 H/s'],
    [1000, '1.00 kH/s'],
    [12_345, '12.35 kH/s'],
    [3_400_000, '3.40 MH/s'],
    [7.5e9, '7.50 GH/s'],
    [2e15, '2000.00 TH/s'],
  ])('shows %d H/s as %s', (rate, text) => {
    expect(formatHashRate(rate)).toBe(text);
  });
});
