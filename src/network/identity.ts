/**
 * The node's persistent peer identity: an Ed25519 libp2p key kept in the data directory
 * (`peer-key`, mode 0600), so peers see the same peer id across restarts. It authenticates
 * the node on the network and guards no coins (like geth's nodekey or Lodestar's peer-id).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { OurCoinError } from '../errors.js';

export const PEER_KEY_FILE = 'peer-key';

export async function loadOrCreatePeerKey(datadir: string): Promise<PrivateKey> {
  const file = join(datadir, PEER_KEY_FILE);
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file));
    } catch (err) {
      throw new OurCoinError(
        'PEER_KEY_INVALID',
        `${file} is not a libp2p private key; move it away to get a new peer id`,
        'input',
        { cause: err },
      );
    }
  }
  const key = await generateKeyPair('Ed25519');
  writeFileSync(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' });
  return key;
}
