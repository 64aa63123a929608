/**
 * Addresses: bech32m (BIP 350) over a 20-byte hash of a BLS public key.
 *
 *   addressHash = first 20 bytes of sha256(publicKey48)
 *   address     = bech32m(network.addressPrefix, [version 0] ++ toWords(addressHash))
 *
 * In binary (transactions, storage) an address is its 20-byte hash; the string form only
 * exists at the edges (JSON, CLI). A mistyped address fails bech32m's checksum.
 */
import { bech32m } from '@scure/base';
import { OurCoinError } from '../errors.js';
import { sha256 } from './hash.js';
import type { NetworkParams } from './networks.js';
import type { CodeOf } from '../errors.js';

export const ADDRESS_HASH_LENGTH = 20;
export const ADDRESS_VERSION = 0;

export const AddressErrorCode = {
  badChecksum: 'ADDRESS_BAD_CHECKSUM',
  wrongNetwork: 'ADDRESS_WRONG_NETWORK',
  badFormat: 'ADDRESS_BAD_FORMAT',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    address: CodeOf<typeof AddressErrorCode>;
  }
}

export function addressHashOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, ADDRESS_HASH_LENGTH);
}

export function encodeAddress(hash: Uint8Array, network: NetworkParams): string {
  if (hash.length !== ADDRESS_HASH_LENGTH) throw new Error(`address hash must be ${ADDRESS_HASH_LENGTH} bytes`);
  return bech32m.encode(network.addressPrefix, [ADDRESS_VERSION, ...bech32m.toWords(hash)]);
}

export function addressOf(publicKey: Uint8Array, network: NetworkParams): string {
  return encodeAddress(addressHashOf(publicKey), network);
}

/** Decodes an address string of `network`; errors name the problem (checksum, network, format). */
export function decodeAddress(address: unknown, network: NetworkParams): Uint8Array {
  if (typeof address !== 'string' || address.length === 0) {
    throw new OurCoinError(AddressErrorCode.badFormat, 'address: expected a bech32m string', 'input');
  }
  let prefix: string;
  let words: number[];
  try {
    ({ prefix, words } = bech32m.decode(address as `${string}1${string}`));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const code = /checksum/i.test(msg) ? AddressErrorCode.badChecksum : AddressErrorCode.badFormat;
    const why = code === AddressErrorCode.badChecksum ? 'checksum does not match (a mistyped character?)' : msg;
    throw new OurCoinError(code, `address ${address}: ${why}`, 'input');
  }
  // Checked after the checksum, so a typo in the prefix reads as a typo, not as another network.
  if (prefix.toLowerCase() !== network.addressPrefix) {
    throw new OurCoinError(
      AddressErrorCode.wrongNetwork,
      `address ${address} is for another network (prefix "${prefix}"; ${network.name} addresses start with "${network.addressPrefix}1")`,
      'input',
    );
  }
  const [version, ...data] = words;
  if (version !== ADDRESS_VERSION) {
    throw new OurCoinError(AddressErrorCode.badFormat, `address ${address}: unknown version ${version}`, 'input');
  }
  let hash: Uint8Array;
  try {
    hash = bech32m.fromWords(data);
  } catch {
    throw new OurCoinError(AddressErrorCode.badFormat, `address ${address}: bad padding`, 'input');
  }
  if (hash.length !== ADDRESS_HASH_LENGTH) {
    throw new OurCoinError(
      AddressErrorCode.badFormat,
      `address ${address}: expected a ${ADDRESS_HASH_LENGTH}-byte hash`,
      'input',
    );
  }
  return hash;
}
