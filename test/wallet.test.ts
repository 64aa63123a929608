/**
 * The wallet core, fast: EIP-2333 published vectors, recovery-phrase checks, the fixed
 * address of a fixed phrase, WalletStore round trips in a temporary folder (scrypt N=2^10),
 * never overwriting, wrong passwords changing nothing, file modes; and the node client's
 * errors against a throwaway HTTP server.
 */
import { createServer } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import type { Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo as NetAddress } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls } from '../src/crypto/blst.js';
import { encodeAddress } from '../src/protocol/address.js';
import { bytesToBigInt, fromHex, toHex } from '../src/protocol/bytes.js';
import { isOurCoinError } from '../src/errors.js';
import { devnet, regtest } from '../src/protocol/networks.js';
import {
  accountPath,
  deriveChild,
  deriveMaster,
  mnemonicToSeed,
  newMnemonic,
  normalizeMnemonic,
} from '../src/wallet/derivation.js';
import { decryptKeystore } from '../src/crypto/keystore.js';
import { NodeClient } from '../src/wallet/nodeClient.js';
import { WalletStore } from '../src/wallet/walletStore.js';
import { createWalletContext, formatHistoryItem, resolveTarget } from '../src/cli/walletActions.js';
import { terminalIo } from '../src/cli/walletIo.js';
import type { WalletIo } from '../src/cli/walletIo.js';
import { runWalletMenu } from '../src/cli/walletMenu.js';
import type { HistoryItem } from '../src/wallet/nodeClient.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-wallet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAST = { scryptN: 2 ** 10 };
const PHRASE = `${'abandon '.repeat(23)}art`;
const PHRASE_ADDRESS_REGTEST = 'ourreg1q977cfspqwl9tap8jzx5atg0995ky6mfmqygvda';
const PHRASE_ADDRESS_DEVNET = 'ourdev1q977cfspqwl9tap8jzx5atg0995ky6mfmp92vxv';
const PHRASE_ACCOUNT1_DEVNET = 'ourdev1q44cny4q2n7jg25ehzyp234xqeqrsd9vaf827mz';

/** Throws unless `fn` fails with an OurCoinError of `code`. */
function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isOurCoinError(caught) ? caught.code : caught).toBe(code);
}

async function expectCodeAsync(promise: Promise<unknown>, code: string): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOurCoinError(err) ? err.code : err).toBe(code);
  return (err as Error).message;
}

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

describe('EIP-2333 test vectors (eips.ethereum.org/EIPS/eip-2333, "Test Cases")', () => {
  const cases = [
    {
      seed: 'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
      masterSK: 6083874454709270928345386274498605044986640685124978867557563392430687146096n,
      childIndex: 0,
      childSK: 20397789859736650942317412262472558107875392172444076792671091975210932703118n,
    },
    {
      seed: '3141592653589793238462643383279502884197169399375105820974944592',
      masterSK: 29757020647961307431480504535336562678282505419141012933316116377660817309383n,
      childIndex: 3141592653,
      childSK: 25457201688850691947727629385191704516744796114925897962676248250929345014287n,
    },
    {
      seed: '0099FF991111002299DD7744EE3355BBDD8844115566CC55663355668888CC00',
      masterSK: 27580842291869792442942448775674722299803720648445448686099262467207037398656n,
      childIndex: 4294967295,
      childSK: 29358610794459428860402234341874281240803786294062035874021252734817515685787n,
    },
    {
      seed: 'd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3',
      masterSK: 19022158461524446591288038168518313374041767046816487870552872741050760015818n,
      childIndex: 42,
      childSK: 31372231650479070279774297061823572166496564838472787488249775572789064611981n,
    },
  ];

  it.each(cases.map((c, i) => [i, c] as const))('test case %i: derive_master_SK and derive_child_SK', (_i, c) => {
    const master = deriveMaster(fromHex(`0x${c.seed.toLowerCase()}`, 'seed'));
    expect(master.length).toBe(32);
    expect(bytesToBigInt(master)).toBe(c.masterSK);
    const child = deriveChild(master, `m/${c.childIndex}`);
    expect(bytesToBigInt(child)).toBe(c.childSK);
  });

  it('a path is derive_child_SK applied level by level; bad paths are refused', () => {
    const master = deriveMaster(mnemonicToSeed(PHRASE));
    let stepwise = master;
    for (const index of [12381, 20309, 7, 0, 0]) stepwise = deriveChild(stepwise, `m/${index}`);
    expect(toHex(deriveChild(master, accountPath(7)))).toBe(toHex(stepwise));
    expect(accountPath(7)).toBe('m/12381/20309/7/0/0');
    for (const bad of ['12381/0', 'm/-1', 'm/4294967296', 'm/01', 'm/1/', "m/1'"])
      expectCode(() => deriveChild(master, bad), 'WALLET_BAD_PATH');
  });
});

describe('recovery phrases', () => {
  it('a new phrase has 24 valid words and differs every time', () => {
    const a = newMnemonic();
    expect(a.split(' ')).toHaveLength(24);
    expect(normalizeMnemonic(a)).toBe(a);
    expect(newMnemonic()).not.toBe(a);
  });

  it('normalizes case and spacing', () => {
    expect(normalizeMnemonic(`  ${PHRASE.toUpperCase().replaceAll(' ', '\n  ')}\n`)).toBe(PHRASE);
  });

  it.each([
    ['a bad checksum', `${'abandon '.repeat(23)}abandon`, 'checksum'],
    ['an unknown word', `${'abandon '.repeat(23)}bitcoinz`, 'bitcoinz'],
    ['12 words (valid BIP-39, but not 24)', `${'abandon '.repeat(11)}about`, 'has 12'],
    ['25 words', `${PHRASE} abandon`, 'has 25'],
    ['nothing', '   ', 'has 0'],
  ])('refuses %s with WALLET_BAD_MNEMONIC', (_what, phrase, mentions) => {
    let message = '';
    expectCode(() => {
      try {
        normalizeMnemonic(phrase);
      } catch (err) {
        message = (err as Error).message;
        throw err;
      }
    }, 'WALLET_BAD_MNEMONIC');
    expect(message).toContain(mentions);
  });

  it('a fixed phrase always gives the same addresses (m/12381/20309/i/0/0)', () => {
    const store = new WalletStore(join(dir, 'fixed'), FAST);
    const { wallet, mnemonic } = store.create('fixed', 'pw', PHRASE);
    expect(mnemonic).toBe(PHRASE);
    expect(encodeAddress(wallet.accounts[0]!.address, regtest)).toBe(PHRASE_ADDRESS_REGTEST);
    expect(encodeAddress(wallet.accounts[0]!.address, devnet)).toBe(PHRASE_ADDRESS_DEVNET);
    expect(wallet.accounts[0]!.path).toBe('m/12381/20309/0/0/0');
    expect(encodeAddress(store.addAccount('fixed', 1, 'pw').address, devnet)).toBe(PHRASE_ACCOUNT1_DEVNET);
  });

  it('restoring the phrase `create` returned gives the same keys back', () => {
    const store = new WalletStore(join(dir, 'restore'), FAST);
    const made = store.create('original', 'pw1');
    const again = store.create('restored', 'another password', made.mnemonic);
    expect(toHex(again.wallet.accounts[0]!.publicKey)).toBe(toHex(made.wallet.accounts[0]!.publicKey));
    expect(toHex(store.addAccount('restored', 5, 'another password').publicKey)).toBe(
      toHex(store.addAccount('original', 5, 'pw1').publicKey),
    );
  });
});

describe('WalletStore', () => {
  it('create, list, get, addAccount, unlock, export and import round trip', () => {
    const store = new WalletStore(join(dir, 'store'), FAST);
    expect(store.list()).toEqual([]);
    const { wallet } = store.create('bob', 'pw-bob');
    store.create('alice', 'pw-alice');
    expect(store.list().map((w) => w.name)).toEqual(['alice', 'bob']);
    expect(store.has('bob')).toBe(true);
    expect(store.get('bob')).toEqual(wallet);
    expect(wallet.hasMaster).toBe(true);

    const second = store.addAccount('bob', 3, 'pw-bob');
    expect(second.path).toBe('m/12381/20309/3/0/0');
    expect(store.addAccount('bob', 3, 'not even checked: it exists')).toEqual(second);
    expect(store.get('bob').accounts.map((a) => a.index)).toEqual([0, 3]);

    const secret = store.unlock('bob', 3, 'pw-bob');
    expect(toHex(blstBls.secretKeyToPublicKey(secret))).toBe(toHex(second.publicKey));

    const keystore = store.exportKeystore('bob', 3);
    expect(keystore.path).toBe('m/12381/20309/3/0/0');
    expect(keystore.crypto.kdf.function).toBe('scrypt');
    expect(toHex(decryptKeystore(keystore, 'pw-bob'))).toBe(toHex(secret));
    secret.fill(0);

    const imported = store.importKeystore('bob-cold', keystore, 'pw-bob');
    expect(imported.hasMaster).toBe(false);
    expect(imported.accounts).toHaveLength(1);
    expect(toHex(imported.accounts[0]!.publicKey)).toBe(toHex(second.publicKey));
    expect(imported.accounts[0]!.path).toBe('m/12381/20309/3/0/0');
    expectCode(() => store.addAccount('bob-cold', 1, 'pw-bob'), 'WALLET_NO_MASTER');
    expect(toHex(store.unlock('bob-cold', 0, 'pw-bob'))).toBe(toHex(decryptKeystore(keystore, 'pw-bob')));

    expectCode(() => store.get('carol'), 'WALLET_NOT_FOUND');
    expectCode(() => store.exportKeystore('bob', 9), 'WALLET_NO_ACCOUNT');
    expectCode(() => store.addAccount('bob', -1, 'pw-bob'), 'WALLET_BAD_INDEX');
    expectCode(() => store.get('../etc'), 'WALLET_BAD_NAME');
  });

  it('an existing name is refused (WALLET_EXISTS) and the wallet stays byte-identical', () => {
    const root = join(dir, 'exists');
    const store = new WalletStore(root, FAST);
    const { wallet } = store.create('alice', 'pw');
    const keystore = store.exportKeystore('alice', 0);
    const before = snapshot(root);
    expectCode(() => store.create('alice', 'other'), 'WALLET_EXISTS');
    expectCode(() => store.create('alice', 'other', PHRASE), 'WALLET_EXISTS');
    expectCode(() => store.importKeystore('alice', keystore, 'pw'), 'WALLET_EXISTS');
    expect(snapshot(root)).toEqual(before);
    expect(store.get('alice')).toEqual(wallet);
  });

  it('a wrong password is KEYSTORE_WRONG_PASSWORD and changes nothing', () => {
    const root = join(dir, 'wrongpw');
    const store = new WalletStore(root, FAST);
    store.create('alice', 'right');
    const keystore = store.exportKeystore('alice', 0);
    const before = snapshot(root);
    expectCode(() => store.unlock('alice', 0, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    expectCode(() => store.addAccount('alice', 1, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    expectCode(() => store.importKeystore('copy', keystore, 'wrong'), 'KEYSTORE_WRONG_PASSWORD');
    expect(snapshot(root)).toEqual(before);
    expect(store.has('copy')).toBe(false);
  });

  it('a corrupted or foreign keystore is refused by name, and not replaced', () => {
    const root = join(dir, 'corrupt');
    const store = new WalletStore(root, FAST);
    store.create('alice', 'pw');
    const file = join(root, 'alice', 'account-0.keystore.json');
    writeFileSync(file, '{"version": 3, "crypto": {}}');
    expectCode(() => store.unlock('alice', 0, 'pw'), 'KEYSTORE_UNSUPPORTED');
    writeFileSync(file, 'not json');
    expectCode(() => store.unlock('alice', 0, 'pw'), 'KEYSTORE_INVALID');
    expect(readFileSync(file, 'utf8')).toBe('not json');
    expectCode(() => store.importKeystore('foreign', { version: 4, crypto: 'nope' }, 'pw'), 'KEYSTORE_INVALID');
    expect(store.has('foreign')).toBe(false);
  });

  it('keeps files 0600 and folders 0700', () => {
    const root = join(dir, 'modes', 'wallets');
    const store = new WalletStore(root, FAST);
    store.create('alice', 'pw');
    store.addAccount('alice', 2, 'pw');
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

// ---------------------------------------------------------------- node client

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as NetAddress).port}`, server }),
    ),
  );
}

function silentIo(): WalletIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    interactive: false,
    out: (t) => void lines.push(t),
    note: (t) => void lines.push(t),
    ask: () => Promise.reject(new Error('no questions in this test')),
    askSecret: () => Promise.reject(new Error('no questions in this test')),
    progress: () => ({ stop: () => undefined }),
    close: () => undefined,
  };
}

describe('NodeClient', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('a node that is not there: WALLET_NODE_UNREACHABLE, saying what to do', async () => {
    const { url, server } = await listen(() => undefined);
    await new Promise((r) => server.close(r));
    const message = await expectCodeAsync(new NodeClient(url).status(), 'WALLET_NODE_UNREACHABLE');
    expect(message).toBe(`cannot reach the node at ${url}: is \`ourcoin node\` running? (--node to choose another)`);
  });

  it('a node that does not answer in time: WALLET_NODE_TIMEOUT', async () => {
    const { url, server } = await listen(() => undefined); // never responds
    servers.push(server);
    await expectCodeAsync(new NodeClient(url, { timeoutMs: 200 }).status(), 'WALLET_NODE_TIMEOUT');
    server.closeAllConnections();
  });

  it("an API error keeps the API's code and message; other servers are WALLET_NODE_BAD_RESPONSE", async () => {
    const { url, server } = await listen((req, res) => {
      if (req.url?.startsWith('/api/v1/addresses/')) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'ADDRESS_BAD_CHECKSUM', message: 'address x: checksum' } }));
      } else if (req.url === '/api/v1/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world' }));
      } else {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      }
    });
    servers.push(server);
    const client = new NodeClient(`${url}/`);
    expect(client.url).toBe(url);
    expect(await expectCodeAsync(client.address('x'), 'ADDRESS_BAD_CHECKSUM')).toBe('address x: checksum');
    await expectCodeAsync(client.status(), 'WALLET_NODE_BAD_RESPONSE');
    await expectCodeAsync(client.getTransaction(`0x${'00'.repeat(32)}`), 'WALLET_NODE_BAD_RESPONSE');
    expectCode(() => new NodeClient('localhost:8330'), 'WALLET_BAD_NODE_URL');
    expectCode(() => new NodeClient('ftp://127.0.0.1/'), 'WALLET_BAD_NODE_URL');
  });

  it('the wallet refuses a node of another network', async () => {
    const { url, server } = await listen((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ network: 'devnet', chainId: devnet.chainId, height: 0, tipHash: '0x00' }));
    });
    servers.push(server);
    const store = new WalletStore(join(dir, 'net'), FAST);
    const ctx = createWalletContext({ store, network: regtest, nodeUrl: url, io: silentIo(), env: {} });
    const message = await expectCodeAsync(ctx.node(), 'WALLET_NETWORK_MISMATCH');
    expect(message).toContain('--network devnet');
    const same = createWalletContext({ store, network: devnet, nodeUrl: url, io: silentIo(), env: {} });
    expect((await same.node()).url).toBe(url);
  });
});

describe('wallet actions (no node)', () => {
  it('a target is a wallet account or an address, checked for checksum and network', () => {
    const store = new WalletStore(join(dir, 'targets'), FAST);
    store.create('alice', 'pw', PHRASE);
    const ctx = createWalletContext({
      store,
      network: regtest,
      nodeUrl: 'http://127.0.0.1:1',
      io: silentIo(),
      env: {},
    });
    expect(resolveTarget(ctx, 'alice', 0)).toEqual({ address: PHRASE_ADDRESS_REGTEST, label: 'alice (account 0)' });
    expect(resolveTarget(ctx, PHRASE_ADDRESS_REGTEST, 0)).toEqual({
      address: PHRASE_ADDRESS_REGTEST,
      label: PHRASE_ADDRESS_REGTEST,
    });
    expectCode(() => resolveTarget(ctx, PHRASE_ADDRESS_DEVNET, 0), 'ADDRESS_WRONG_NETWORK');
    expectCode(() => resolveTarget(ctx, `${PHRASE_ADDRESS_REGTEST.slice(0, -1)}q`, 0), 'ADDRESS_BAD_CHECKSUM');
    expectCode(() => resolveTarget(ctx, 'carol', 0), 'WALLET_NOT_FOUND');
    expectCode(() => resolveTarget(ctx, 'alice', 1), 'WALLET_NO_ACCOUNT');
  });

  it('formats history lines with direction, amount, fee, status and confirmations', () => {
    const base = { txid: `0x${'ab'.repeat(32)}`, blockHash: null, height: null, confirmations: 0, position: null };
    const transfer = {
      type: 'transfer' as const,
      txid: base.txid,
      chainId: regtest.chainId,
      senderPublicKey: '0x',
      sender: 'ourreg1sender',
      recipient: 'ourreg1recipient',
      amount: '1250000000',
      fee: '1000',
      nonce: 0,
    };
    const out: HistoryItem = { ...base, status: 'pending', direction: 'out', transaction: transfer };
    expect(formatHistoryItem(out)).toMatch(
      /^pending\s+0 conf\s+out\s+-12\.5 OUR\s+fee 0\.00001\s+to ourreg1recipient\s+0xabab/,
    );
    const inn: HistoryItem = {
      ...base,
      status: 'confirmed',
      direction: 'in',
      transaction: transfer,
      height: 7,
      confirmations: 3,
      blockHash: `0x${'cd'.repeat(32)}`,
      position: 1,
    };
    expect(formatHistoryItem(inn)).toMatch(
      /^confirmed\s+3 conf\s+block 7\s+in\s+\+12\.5 OUR\s+fee 0\.00001\s+from ourreg1sender/,
    );
    const coinbase: HistoryItem = {
      ...inn,
      transaction: {
        type: 'coinbase',
        txid: base.txid,
        chainId: regtest.chainId,
        height: 7,
        recipient: 'ourreg1me',
        amount: '5000000000',
      },
    };
    expect(formatHistoryItem(coinbase)).toMatch(/in\s+\+50 OUR\s+mined \(coinbase\)/);
  });
});

describe('wallet menu (piped input, no terminal)', () => {
  it('answers every piped line in order, shows errors and goes on, and quits at end of input', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }) as unknown as NodeJS.WriteStream;
    const input = new PassThrough();
    const io = terminalIo({ input: input as unknown as NodeJS.ReadStream, output: sink, errorOutput: sink });
    const store = new WalletStore(join(dir, 'menu'), FAST);
    const ctx = createWalletContext({
      store,
      network: regtest,
      nodeUrl: 'http://127.0.0.1:1',
      io,
      env: { OURCOIN_PASSWORD: 'pw' },
    });
    // All at once: no answer may be lost between questions.
    input.end('1\ndora\n1\ndora\n9\n3\ndora\n2\ndora\nnot-an-address\n1\n\n');
    // (the last '1' and '' are the menu choice "new wallet" and an empty name: back to the menu)
    await runWalletMenu(ctx);
    io.close();
    expect(store.list().map((w) => w.name)).toEqual(['dora']);
    expect(text).toContain('Created wallet "dora"');
    expect(text).toMatch(/Address \(account 0\): ourreg1/);
    expect(text).toContain('(WALLET_EXISTS)');
    expect(text).toContain('"9" is not on the menu');
    expect(text).toContain('cannot reach the node at http://127.0.0.1:1');
    expect(text).toContain('(ADDRESS_BAD_FORMAT)');
    expect(text.trimEnd().endsWith('Bye.')).toBe(true);
    expect(text).not.toContain('pw\n');
  });
});

describe('WalletStore under failure', () => {
  it('leaves no trace when creating a wallet fails, and lists the others when one is corrupt', () => {
    const store = new WalletStore(join(dir, 'failures'), FAST);
    store.create('good', 'pw');
    // A password that is empty once control characters are stripped fails mid-creation.
    expect(() => store.create('broken', '\u0001\u0002')).toThrow(
      expect.objectContaining({ code: 'KEYSTORE_EMPTY_PASSWORD' }),
    );
    expect(readdirSync(join(dir, 'failures')).sort()).toEqual(['good']);
    // A damaged wallet.json does not hide the good wallet.
    store.create('damaged', 'pw');
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
