/**
 * Wallet actions without a node (src/cli/walletActions.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { regtest } from '../../../src/protocol/networks.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import {
  createWalletContext,
  formatHistoryItem,
  resolveRecipient,
  resolveTarget,
} from '../../../src/cli/walletActions.js';
import type { HistoryItem } from '../../../src/wallet/nodeClient.js';
import {
  FAST,
  PHRASE,
  PHRASE_ADDRESS_DEVNET,
  PHRASE_ADDRESS_REGTEST,
  dir,
  expectCode,
  silentIo,
} from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wallet actions (no node)', () => {
  it('a target is a wallet account or an address, checked for checksum and network', async () => {
    const store = new WalletStore(join(dir, 'targets'), FAST);
    await store.create('alice', 'pw', PHRASE);
    const ctx = createWalletContext({
      store,
      network: regtest,
      nodeUrl: 'http://127.0.0.1:1',
      io: silentIo(),
      env: {},
    });
    expect(resolveTarget(ctx, 'alice', 0)).toEqual({
      address: PHRASE_ADDRESS_REGTEST,
      label: 'alice (account 0)',
      wallet: 'alice',
      index: 0,
    });
    expect(resolveTarget(ctx, PHRASE_ADDRESS_REGTEST, 0)).toEqual({
      address: PHRASE_ADDRESS_REGTEST,
      label: PHRASE_ADDRESS_REGTEST,
    });
    expectCode(() => resolveTarget(ctx, PHRASE_ADDRESS_DEVNET, 0), 'ADDRESS_WRONG_NETWORK');
    expectCode(() => resolveTarget(ctx, `${PHRASE_ADDRESS_REGTEST.slice(0, -1)}q`, 0), 'ADDRESS_BAD_CHECKSUM');
    expectCode(() => resolveTarget(ctx, 'carol', 0), 'WALLET_NOT_FOUND');
    expectCode(() => resolveTarget(ctx, 'alice', 1), 'WALLET_NO_ACCOUNT');

    // A recipient may be a wallet's name (its account 0); a foreign address says what it is.
    expect(resolveRecipient(ctx, ' alice ')).toMatchObject({ address: PHRASE_ADDRESS_REGTEST, wallet: 'alice' });
    expect(resolveRecipient(ctx, PHRASE_ADDRESS_REGTEST)).toEqual({
      hash: expect.any(Uint8Array) as Uint8Array,
      address: PHRASE_ADDRESS_REGTEST,
    });
    const refusal = (text: string): string => {
      try {
        resolveRecipient(ctx, text);
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
      return 'accepted';
    };
    expect(refusal(PHRASE_ADDRESS_DEVNET)).toBe(
      `ADDRESS_WRONG_NETWORK: address ${PHRASE_ADDRESS_DEVNET} is for devnet, this wallet is on regtest (regtest addresses start with "ourreg1"; --network devnet to use devnet)`,
    );
    for (const bitcoin of [
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
    ])
      expect(refusal(bitcoin)).toMatch(/^ADDRESS_WRONG_NETWORK: address \S+ is a Bitcoin address, not an OurCoin one/);
    // A typo in another network's address reads as a typo.
    expect(refusal(`${PHRASE_ADDRESS_DEVNET.slice(0, -1)}q`)).toMatch(/^ADDRESS_BAD_CHECKSUM/);
  });

  it('formats history lines with direction, amount, fee, status and confirmations', () => {
    const base = {
      txid: `0x${'ab'.repeat(32)}`,
      blockHash: null,
      height: null,
      confirmations: 0,
      position: null,
      firstSeen: null,
    };
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
