/**
 * The node's own mining key, for when no `--miner-address` is given: created on first start
 * in the data directory as an EIP-2335 keystore (encrypted with the operator's password),
 * and on later starts read for its public key only, so a restart needs no password.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { blstBls, generateSecretKey } from '../crypto/blst.js';
import { addressHashOf } from '../protocol/address.js';
import { encryptKeystore, keystorePublicKey } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';

export const MINER_KEYSTORE_FILE = 'miner-keystore.json';

export interface MinerKey {
  readonly address: Uint8Array;
  readonly keystorePath: string;
  readonly created: boolean;
}

/** Loads the miner key's address, creating the keystore with `password()` if there is none. */
export async function loadOrCreateMinerKey(datadir: string, password: () => Promise<string>): Promise<MinerKey> {
  const keystorePath = join(datadir, MINER_KEYSTORE_FILE);
  if (existsSync(keystorePath)) {
    return { address: addressHashOf(keystorePublicKey(readKeystoreFile(keystorePath))), keystorePath, created: false };
  }
  const pass = await password();
  const secretKey = generateSecretKey();
  const publicKey = blstBls.secretKeyToPublicKey(secretKey);
  writeKeystoreFile(keystorePath, encryptKeystore(secretKey, pass, { publicKey, description: 'OurCoin miner key' }));
  secretKey.fill(0);
  return { address: addressHashOf(publicKey), keystorePath, created: true };
}
