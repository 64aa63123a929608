/**
 * WalletStore (src/wallet/walletStore.ts): wallets on disk, encrypted, and their behaviour
 * under failure.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { decryptKeystore } from '../../../src/crypto/keystore.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { FAST, PHRASE, dir, expectCode, expectRejection } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` (relative path -> bytes), to compare before and after. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p.slice(root.length), readFileSync(p).toString('hex'));
    }
  };
  walk(root);
  return out;
}

describe('WalletStore', () => {
  it('create, list, get, addAccount, unlock, export and import round trip', async () => {
    const store = new WalletStore(join(dir, 'store'), FAST);
    expect(store.list()).toEqual([]);
    const { wallet } = await store.create('bob', 'pw-bob');
    await store.create('alice', 'pw-alice');
    expect(store.list().map((w) => w.name)).toEqual(['alice', 'bob']);
    expect(store.has('bob')).toBe(true);
    expect(store.get('bob')).toEqual(wallet);
    expect(wallet.hasMaster).toBe(true);

    const second = await store.addAccount('bob', 3, 'pw-bob');
    expect(second.path).toBe('m/12381/20309/3/0/0');
    expect(await store.addAccount('bob', 3, 'not even checked: it exists')).toEqual(second);
    expect(store.get('bob').accounts.map((a) => a.index)).toEqual([0, 3]);

    const secret = await store.unlock('bob', 3, 'pw-bob');
    expect(toHex(blstBls.secretKeyToPublicKey(secret))).toBe(toHex(second.publicKey));

    const keystore = store.exportKeystore('bob', 3);
    expect(keystore.path).toBe('m/12381/20309/3/0/0');
    expect(keystore.crypto.kdf.function).toBe('scrypt');
    expect(toHex(decryptKeystore(keystore, 'pw-bob'))).toBe(toHex(secret));
    secret.fill(0);

    const imported = await store.importKeystore('bob-cold', keystore, 'pw-bob');
    expect(imported.hasMaster).toBe(false);
    expect(imported.accounts).toHaveLength(1);
    expect(toHex(imported.accounts[0]!.publicKey)).toBe(toHex(second.publicKey));
    expect(imported.accounts[0]!.path).toBe('m/12381/20309/3/0/0');
    await expectRejection(store.addAccount('bob-cold', 1, 'pw-bob'), 'WALLET_NO_MASTER');
    expect(toHex(await store.unlock('bob-cold', 0, 'pw-bob'))).toBe(toHex(decryptKeystore(keystore, 'pw-bob')));

    expectCode(() => store.get('carol'), 'WALLET_NOT_FOUND');
    expectCode(() => store.exportKeystore('bob', 9), 'WALLET_NO_ACCOUNT');
    await expectRejection(store.addAccount('bob', -1, 'pw-bob'), 'WALLET_BAD_INDEX');
    expectCode(() => store.get('../etc'), 'WALLET_BAD_NAME');
  });

  it('an existing name is refused (WALLET_EXISTS) and the wallet stays byte-identical', async () => {
    const root = join(dir, 'exists');
    const store = new WalletStore(root, FAST);
    const { wallet } = await store.create('alice', 'pw');
    const keystore = store.exportKeystore('alice', 0);
    const before = snapshot(root);
    await expectRejection(store.create('alice', 'other'), 'WALLET_EXISTS');
    await expectRejection(store.create('alice', 'other', PHRASE), 'WALLET_EXISTS');
    await expectRejection(store.importKeystore('alice', keystore, 'pw'), 'WALLET_EXISTS');
    expect(snapshot(root)).toEqual(before);
    expect(store.get('alice')).toEqual(wallet);
  });

  it('a wrong password is KEYSTORE_WRONG_PASSWORD and changes nothing', async () => {
    const root = join(dir, 'wrongpw');
    const store = new WalletStore(root, FAST);
    await store.create('alice', 'right');
    const keystore = store.exportKeystore('alice', 0);
    const before = snapshot(root);
    await expectRejection(store.unlock('alice', 0, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    await expectRejection(store.addAccount('alice', 1, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    await expectRejection(store.importKeystore('copy', keystore, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    expect(snapshot(root)).toEqual(before);
    expect(store.has('copy')).toBe(false);
  });

  it('a corrupted or foreign keystore is refused by name, and not replaced', async () => {
    const root = join(dir, 'corrupt');
    const store = new WalletStore(root, FAST);
    await store.create('alice', 'pw');
    const file = join(root, 'alice', 'account-0.keystore.json');
    writeFileSync(file, '{"version": 3, "crypto": {}}');
    await expectRejection(store.unlock('alice', 0, 'pw'), 'KEYSTORE_UNSUPPORTED');
    writeFileSync(file, 'not json');
    await expectRejection(store.unlock('alice', 0, 'pw'), 'KEYSTORE_INVALID');
    expect(readFileSync(file, 'utf8')).toBe('not json');
    await expectRejection(store.importKeystore('foreign', { version: 4, crypto: 'nope' }, 'pw'), 'KEYSTORE_INVALID');
    expect(store.has('foreign')).toBe(false);
  });

  it('keeps files 0600 and folders 0700', async () => {
    const root = join(dir, 'modes', 'wallets');
    const store = new WalletStore(root, FAST);
    await store.create('alice', 'pw');
    await store.addAccount('alice', 2, 'pw');
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'alice')).mode & 0o777).toBe(0o700);
    const files = readdirSync(join(root, 'alice'));
    expect(files.sort()).toEqual([
      'account-0.keystore.json',
      'account-2.keystore.json',
      'master.keystore.json',
      'wallet.json',
    ]);
    for (const f of files) expect(statSync(join(root, 'alice', f)).mode & 0o777, f).toBe(0o600);
    // wallet.json holds public data only: no secret, no phrase.
    const text = readFileSync(join(root, 'alice', 'wallet.json'), 'utf8');
    expect(text).not.toMatch(/mnemonic|secret|abandon/);
  });
});

describe('WalletStore under failure', () => {
  it('leaves no trace when creating a wallet fails, and lists the others when one is corrupt', async () => {
    const store = new WalletStore(join(dir, 'failures'), FAST);
    await store.create('good', 'pw');
    // A password that is empty once control characters are stripped fails mid-creation.
    await expect(store.create('broken', '\u0001\u0002')).rejects.toThrow(
      expect.objectContaining({ code: 'KEYSTORE_EMPTY_PASSWORD' }),
    );
    expect(readdirSync(join(dir, 'failures')).sort()).toEqual(['good']);
    // A damaged wallet.json does not hide the good wallet.
    await store.create('damaged', 'pw');
    writeFileSync(
      join(dir, 'failures', 'damaged', 'wallet.json'),
      '{"version":1,"accounts":[{"index":"x"}],"hasMaster":true}',
    );
    const list = store.list();
    expect(list.map((w) => w.name)).toEqual(['good']);
    expect(list.corrupt).toEqual(['damaged']);
    expect(() => store.get('damaged')).toThrow(expect.objectContaining({ code: 'WALLET_CORRUPT' }));
  });
});
