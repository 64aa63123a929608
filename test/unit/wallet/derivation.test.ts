/**
 * Key derivation (src/wallet/derivation.ts): the EIP-2333 test vectors and recovery phrases.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../../src/protocol/address.js';
import { bytesToBigInt, fromHex, toHex } from '../../../src/protocol/bytes.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import {
  accountPath,
  deriveChild,
  deriveMaster,
  mnemonicToSeed,
  newMnemonic,
  normalizeMnemonic,
} from '../../../src/wallet/derivation.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { FAST, PHRASE, PHRASE_ADDRESS_DEVNET, PHRASE_ADDRESS_REGTEST, dir, expectCode } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PHRASE_ACCOUNT1_DEVNET = 'ourdev1q44cny4q2n7jg25ehzyp234xqeqrsd9vaf827mz';

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

  it('a fixed phrase always gives the same addresses (m/12381/20309/i/0/0)', async () => {
    const store = new WalletStore(join(dir, 'fixed'), FAST);
    const { wallet, mnemonic } = await store.create('fixed', 'pw', PHRASE);
    expect(mnemonic).toBe(PHRASE);
    expect(encodeAddress(wallet.accounts[0]!.address, regtest)).toBe(PHRASE_ADDRESS_REGTEST);
    expect(encodeAddress(wallet.accounts[0]!.address, devnet)).toBe(PHRASE_ADDRESS_DEVNET);
    expect(wallet.accounts[0]!.path).toBe('m/12381/20309/0/0/0');
    expect(encodeAddress((await store.addAccount('fixed', 1, 'pw')).address, devnet)).toBe(PHRASE_ACCOUNT1_DEVNET);
  });

  it('restoring the phrase `create` returned gives the same keys back', async () => {
    const store = new WalletStore(join(dir, 'restore'), FAST);
    const made = await store.create('original', 'pw1');
    const again = await store.create('restored', 'another password', made.mnemonic);
    expect(toHex(again.wallet.accounts[0]!.publicKey)).toBe(toHex(made.wallet.accounts[0]!.publicKey));
    expect(toHex((await store.addAccount('restored', 5, 'another password')).publicKey)).toBe(
      toHex((await store.addAccount('original', 5, 'pw1')).publicKey),
    );
  });
});
