/**
 * Wallets on disk: one folder per wallet under the wallet directory (~/.ourcoin/wallets).
 *
 *   <name>/wallet.json            name, created, accounts (index, path, public key): no secrets
 *   <name>/master.keystore.json   EIP-2335 keystore of the EIP-2333 master key (path "m"),
 *                                 so further addresses can be derived with the password
 *   <name>/account-<i>.keystore.json  EIP-2335 keystore of account i (m/12381/20309/i/0/0)
 *
 * Secrets exist only inside keystores; files are 0600, folders 0700, and nothing is ever
 * overwritten: an existing wallet or keystore makes the operation fail before it writes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blstBls } from '../crypto/blst.js';
import { addressHashOf } from '../protocol/address.js';
import { fromHex, toHex } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import { decryptKeystoreWith, encryptKeystoreWith, keystorePublicKey, parseKeystore } from '../crypto/keystore.js';
import { nodeScrypt } from '../crypto/nodeScrypt.js';
import type { Keystore } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';
import { accountPath, deriveChild, deriveMaster, mnemonicToSeed, newMnemonic } from './derivation.js';

export interface AccountInfo {
  readonly index: number;
  readonly path: string;
  readonly publicKey: Uint8Array;
  /** 20-byte address hash; encode with the network's prefix to show it. */
  readonly address: Uint8Array;
}

export interface WalletInfo {
  readonly name: string;
  readonly createdAt: string;
  /** False for a wallet imported from a single keystore: it cannot derive more accounts. */
  readonly hasMaster: boolean;
  readonly accounts: readonly AccountInfo[];
}

interface WalletFile {
  version: 1;
  name: string;
  createdAt: string;
  hasMaster: boolean;
  accounts: { index: number; path: string; publicKey: string }[];
}

export interface WalletStoreOptions {
  /** scrypt N for new keystores; EIP-2335's 2^18 by default (lower only in tests). */
  readonly scryptN?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class WalletStore {
  constructor(
    readonly dir: string,
    private readonly opts: WalletStoreOptions = {},
  ) {}

  private folder(name: string): string {
    if (!NAME.test(name)) {
      throw new OurCoinError(
        'WALLET_BAD_NAME',
        `wallet name "${name}": use 1-64 letters, digits, _ or -, starting with a letter or digit`,
        'input',
      );
    }
    return join(this.dir, name);
  }

  /** Every readable wallet; `corrupt` names the folders whose wallet.json cannot be read. */
  list(): WalletInfo[] & { corrupt?: string[] } {
    if (!existsSync(this.dir)) return [];
    const corrupt: string[] = [];
    const wallets = readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && NAME.test(d.name) && existsSync(join(this.dir, d.name, 'wallet.json')))
      .flatMap((d) => {
        try {
          return [this.get(d.name)];
        } catch {
          // One damaged wallet must not hide the others.
          corrupt.push(d.name);
          return [];
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return Object.assign(wallets, corrupt.length > 0 ? { corrupt } : {});
  }

  has(name: string): boolean {
    return existsSync(join(this.folder(name), 'wallet.json'));
  }

  get(name: string): WalletInfo {
    const file = join(this.folder(name), 'wallet.json');
    if (!existsSync(file))
      throw new OurCoinError(
        'WALLET_NOT_FOUND',
        `no wallet named "${name}" in ${this.dir} (see: ourcoin wallet list)`,
        'input',
      );
    let w: WalletFile;
    try {
      w = JSON.parse(readFileSync(file, 'utf8')) as WalletFile;
      if (w.version !== 1 || !Array.isArray(w.accounts) || typeof w.hasMaster !== 'boolean')
        throw new Error('unknown format');
      return {
        name: w.name,
        createdAt: w.createdAt,
        hasMaster: w.hasMaster,
        accounts: w.accounts.map((a) => {
          if (!Number.isInteger(a.index) || typeof a.path !== 'string') throw new Error('bad account entry');
          const publicKey = fromHex(a.publicKey, 'publicKey', 48);
          return { index: a.index, path: a.path, publicKey, address: addressHashOf(publicKey) };
        }),
      };
    } catch (err) {
      throw new OurCoinError('WALLET_CORRUPT', `${file} is not a wallet file (${(err as Error).message})`, 'input');
    }
  }

  /**
   * A new wallet from a fresh mnemonic (returned once, to show the user), or restored from
   * `mnemonic`. Creates the master keystore and account 0.
   */
  async create(name: string, password: string, mnemonic?: string): Promise<{ wallet: WalletInfo; mnemonic: string }> {
    const folder = this.folder(name);
    if (existsSync(folder))
      throw new OurCoinError('WALLET_EXISTS', `a wallet named "${name}" already exists; choose another name`, 'input');
    const phrase = mnemonic ?? newMnemonic();
    const master = deriveMaster(mnemonicToSeed(phrase));
    const account = deriveChild(master, accountPath(0));
    // Build everything in a temporary folder, then move it into place in one rename.
    try {
      await this.buildThenMove(name, async (tmp) => {
        // Both keystores at once: node's scrypt runs on the thread pool.
        const [masterKeystore, info] = await Promise.all([
          this.encrypt(master, password, 'm', `OurCoin wallet ${name}: master key`),
          this.writeAccount(tmp, name, account, 0, password),
        ]);
        writeKeystoreFile(join(tmp, 'master.keystore.json'), masterKeystore);
        this.writeWalletFile(tmp, {
          version: 1,
          name,
          createdAt: new Date().toISOString(),
          hasMaster: true,
          accounts: [info],
        });
      });
    } finally {
      master.fill(0);
      account.fill(0);
    }
    return { wallet: this.get(name), mnemonic: phrase };
  }

  /** A wallet holding one imported keystore (checked by decrypting it with `password`). */
  async importKeystore(name: string, keystore: unknown, password: string): Promise<WalletInfo> {
    const folder = this.folder(name);
    if (existsSync(folder))
      throw new OurCoinError('WALLET_EXISTS', `a wallet named "${name}" already exists; choose another name`, 'input');
    const parsed = parseKeystore(keystore);
    const secret = await decryptKeystoreWith(nodeScrypt, parsed, password, { bls: blstBls });
    secret.fill(0);
    const publicKey = keystorePublicKey(parsed);
    const path = parsed.path || 'imported';
    await this.buildThenMove(name, (tmp) => {
      writeKeystoreFile(join(tmp, 'account-0.keystore.json'), parsed);
      this.writeWalletFile(tmp, {
        version: 1,
        name,
        createdAt: new Date().toISOString(),
        hasMaster: false,
        accounts: [{ index: 0, path, publicKey: toHex(publicKey) }],
      });
    });
    return this.get(name);
  }

  /** Derives account `index` with the master key (password needed) and stores its keystore. */
  async addAccount(name: string, index: number, password: string): Promise<AccountInfo> {
    const wallet = this.get(name);
    const existing = wallet.accounts.find((a) => a.index === index);
    if (existing) return existing;
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
      throw new OurCoinError(
        'WALLET_BAD_INDEX',
        `account index ${index}: expected an integer from 0 to 2147483647`,
        'input',
      );
    }
    if (!wallet.hasMaster) {
      throw new OurCoinError(
        'WALLET_NO_MASTER',
        `wallet "${name}" was imported from a single keystore and has only account 0`,
        'input',
      );
    }
    const folder = this.folder(name);
    const master = await decryptKeystoreWith(
      nodeScrypt,
      readKeystoreFile(join(folder, 'master.keystore.json')),
      password,
      { bls: blstBls },
    );
    const secret = deriveChild(master, accountPath(index));
    master.fill(0);
    let info: WalletFile['accounts'][number];
    try {
      info = await this.writeAccount(folder, name, secret, index, password);
    } finally {
      secret.fill(0);
    }
    const file = this.readWalletFile(folder);
    file.accounts.push(info);
    file.accounts.sort((a, b) => a.index - b.index);
    this.writeWalletFile(folder, file, true);
    return this.get(name).accounts.find((a) => a.index === index)!;
  }

  /** The secret key of account `index`, decrypted with `password` (caller wipes it after use). */
  async unlock(name: string, index: number, password: string): Promise<Uint8Array> {
    return decryptKeystoreWith(nodeScrypt, this.exportKeystore(name, index), password, { bls: blstBls });
  }

  exportKeystore(name: string, index: number): Keystore {
    const wallet = this.get(name);
    if (!wallet.accounts.some((a) => a.index === index)) {
      throw new OurCoinError(
        'WALLET_NO_ACCOUNT',
        `wallet "${name}" has no account ${index} yet (create it with: ourcoin wallet address ${name} --index ${index})`,
        'input',
      );
    }
    return readKeystoreFile(join(this.folder(name), `account-${index}.keystore.json`));
  }

  /**
   * Writes a new wallet into a temporary folder, then moves it into place in one rename; on
   * any failure the temporary folder is removed and nothing named `name` is touched.
   */
  private async buildThenMove(name: string, build: (tmp: string) => void | Promise<void>): Promise<void> {
    const folder = this.folder(name);
    const tmp = join(this.dir, `.${name}.tmp-${process.pid}-${Date.now()}`);
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    try {
      await build(tmp);
      // Checked again: another process may have taken the name while keys were encrypted.
      if (existsSync(folder))
        throw new OurCoinError(
          'WALLET_EXISTS',
          `a wallet named "${name}" already exists; choose another name`,
          'input',
        );
      renameSync(tmp, folder);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** An EIP-2335 keystore of `secret` with this store's scrypt cost (group shares use it too). */
  encrypt(secret: Uint8Array, password: string, path: string, description: string): Promise<Keystore> {
    return encryptKeystoreWith(nodeScrypt, secret, password, {
      publicKey: blstBls.secretKeyToPublicKey(secret),
      path,
      description,
      scryptN: this.opts.scryptN,
    });
  }

  private async writeAccount(
    folder: string,
    name: string,
    secret: Uint8Array,
    index: number,
    password: string,
  ): Promise<WalletFile['accounts'][number]> {
    const path = accountPath(index);
    const keystore = await this.encrypt(secret, password, path, `OurCoin wallet ${name}: account ${index}`);
    writeKeystoreFile(join(folder, `account-${index}.keystore.json`), keystore);
    return { index, path, publicKey: toHex(keystorePublicKey(keystore)) };
  }

  private readWalletFile(folder: string): WalletFile {
    return JSON.parse(readFileSync(join(folder, 'wallet.json'), 'utf8')) as WalletFile;
  }

  /** wallet.json holds no secrets; an update is written beside it and renamed over it. */
  private writeWalletFile(folder: string, file: WalletFile, replace = false): void {
    const target = join(folder, 'wallet.json');
    if (!replace && existsSync(target)) throw new OurCoinError('WALLET_EXISTS', `${target} exists`, 'input');
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, target);
  }
}
