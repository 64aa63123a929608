/**
 * Keys from a mnemonic, the way BLS wallets do it (Ethereum staking tools):
 *
 *   mnemonic  BIP-39, 24 English words (256 bits of entropy)
 *   seed      BIP-39 PBKDF2 (no passphrase)
 *   master    EIP-2333 derive_master_SK(seed)
 *   account   EIP-2333 derive_child_SK along the EIP-2334-style path m/12381/20309/<index>/0/0
 *
 * 12381 is EIP-2334's purpose for BLS12-381; 20309 (0x4f55, ASCII "OU") is OurCoin's coin
 * type, so the same mnemonic used with an Ethereum tool never yields an OurCoin key.
 */
import blst from '@chainsafe/blst';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { OurCoinError } from '../errors.js';

export const BLS_PURPOSE = 12381;
export const OURCOIN_COIN_TYPE = 20309;
export const MNEMONIC_WORDS = 24;

export function accountPath(index: number): string {
  return `m/${BLS_PURPOSE}/${OURCOIN_COIN_TYPE}/${index}/0/0`;
}

export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

/** Normalizes spacing and case; throws WALLET_BAD_MNEMONIC naming what is wrong. */
export function normalizeMnemonic(mnemonic: string): string {
  const words = mnemonic.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length !== MNEMONIC_WORDS) {
    throw new OurCoinError(
      'WALLET_BAD_MNEMONIC',
      `a recovery phrase has ${MNEMONIC_WORDS} words; this one has ${words.length}`,
      'input',
    );
  }
  const unknown = words.filter((w) => !wordlist.includes(w));
  if (unknown.length > 0)
    throw new OurCoinError('WALLET_BAD_MNEMONIC', `not BIP-39 English words: ${unknown.join(', ')}`, 'input');
  const phrase = words.join(' ');
  if (!validateMnemonic(phrase, wordlist)) {
    throw new OurCoinError(
      'WALLET_BAD_MNEMONIC',
      'the recovery phrase checksum does not match: a word is wrong or out of order',
      'input',
    );
  }
  return phrase;
}

export function mnemonicToSeed(mnemonic: string): Uint8Array {
  return mnemonicToSeedSync(normalizeMnemonic(mnemonic));
}

/** EIP-2333 master secret key of a seed (at least 32 bytes). */
export function deriveMaster(seed: Uint8Array): Uint8Array {
  return blst.SecretKey.deriveMasterEip2333(seed).toBytes();
}

/** EIP-2333 derivation from `parent` (a secret key at path "m" or deeper) along `path` ("m/a/b/..."). */
export function deriveChild(parent: Uint8Array, path: string): Uint8Array {
  const parts = path.split('/');
  if (parts[0] !== 'm' || parts.slice(1).some((p) => !/^(0|[1-9][0-9]{0,9})$/.test(p) || Number(p) >= 2 ** 32)) {
    throw new OurCoinError(
      'WALLET_BAD_PATH',
      `bad derivation path "${path}" (expected m/12381/20309/<index>/0/0)`,
      'input',
    );
  }
  let sk = blst.SecretKey.fromBytes(parent);
  for (const index of parts.slice(1)) sk = sk.deriveChildEip2333(Number(index));
  return sk.toBytes();
}
