/**
 * Addresses (src/protocol/address.ts): bech32m encoding per network, and refusals.
 */
import { bech32, bech32m } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { addressOf, decodeAddress, encodeAddress } from '../../../src/protocol/address.js';
import { sha256 } from '../../../src/protocol/hash.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { alice, expectCode, hex } from '../../helpers/encoding.js';

// ---------------------------------------------------------------- addresses

describe('addresses', () => {
  const regAddr = addressOf(alice.publicKey, regtest);
  const devAddr = addressOf(alice.publicKey, devnet);

  it('use the network prefix and round-trip to the 20-byte hash', () => {
    expect(regAddr.startsWith('ourreg1')).toBe(true);
    expect(devAddr.startsWith('ourdev1')).toBe(true);
    expect(hex(decodeAddress(regAddr, regtest))).toBe(hex(alice.address));
    expect(hex(decodeAddress(devAddr, devnet))).toBe(hex(alice.address));
    expect(hex(alice.address)).toBe(hex(sha256(alice.publicKey).subarray(0, 20)));
    expect(encodeAddress(alice.address, regtest)).toBe(regAddr);
    // bech32m: version 0 then the hash in 5-bit words.
    const { prefix, words } = bech32m.decode(regAddr as `${string}1${string}`);
    expect(prefix).toBe('ourreg');
    expect(words[0]).toBe(0);
    expect(hex(bech32m.fromWords(words.slice(1)))).toBe(hex(alice.address));
    // All-uppercase is the same address in bech32.
    expect(hex(decodeAddress(regAddr.toUpperCase(), regtest))).toBe(hex(alice.address));
  });

  it('any single changed data character fails the checksum', () => {
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    for (let i = 'ourreg1'.length; i < regAddr.length; i++) {
      const ch = regAddr[i]!;
      const other = alphabet[(alphabet.indexOf(ch) + 1) % alphabet.length]!;
      const typo = regAddr.slice(0, i) + other + regAddr.slice(i + 1);
      expectCode(() => decodeAddress(typo, regtest), 'ADDRESS_BAD_CHECKSUM');
    }
  });

  it('a devnet address decoded as regtest is ADDRESS_WRONG_NETWORK', () => {
    expectCode(() => decodeAddress(devAddr, regtest), 'ADDRESS_WRONG_NETWORK');
    expectCode(() => decodeAddress(regAddr, devnet), 'ADDRESS_WRONG_NETWORK');
    expectCode(
      () => decodeAddress(bech32m.encode('bc', [0, ...bech32m.toWords(alice.address)]), regtest),
      'ADDRESS_WRONG_NETWORK',
    );
  });

  it('rejects non-strings, empty and garbage strings with ADDRESS_BAD_FORMAT', () => {
    for (const bad of [undefined, null, 5, {}, [], alice.address])
      expectCode(() => decodeAddress(bad, regtest), 'ADDRESS_BAD_FORMAT');
    for (const bad of ['', 'garbage', 'ourreg1', 'ourreg1qqqq', regAddr.slice(0, 12) + 'b' + regAddr.slice(13)]) {
      expectCode(() => decodeAddress(bad, regtest), 'ADDRESS_BAD_FORMAT');
    }
    // Mixed case is not bech32.
    expectCode(() => decodeAddress('OURREG1' + regAddr.slice(7), regtest), 'ADDRESS_BAD_FORMAT');
  });

  it('rejects a bech32 (not bech32m) string with ADDRESS_BAD_CHECKSUM', () => {
    const legacy = bech32.encode('ourreg', [0, ...bech32.toWords(alice.address)]);
    expect(legacy.startsWith('ourreg1')).toBe(true);
    expect(legacy).not.toBe(regAddr);
    expectCode(() => decodeAddress(legacy, regtest), 'ADDRESS_BAD_CHECKSUM');
  });

  it('rejects an unknown version or a wrong hash length with ADDRESS_BAD_FORMAT', () => {
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [1, ...bech32m.toWords(alice.address)]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [0, ...bech32m.toWords(new Uint8Array(32))]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [0, ...bech32m.toWords(new Uint8Array(19))]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
  });
});
