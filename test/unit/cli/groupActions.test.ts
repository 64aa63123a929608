/**
 * `wallet group create --bdn` and `group sign` without a node (src/cli/groupActions.ts): three
 * wallets form a 3-of-3 BDN group from their own keys; each signs a partial file with its
 * wallet; the three partials combine to a signature blst accepts under the group key, two do
 * not suffice, and a wallet outside the group is refused by name.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { regtest } from '../../../src/protocol/networks.js';
import { signingMessage } from '../../../src/protocol/transaction.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { createWalletContext } from '../../../src/cli/walletActions.js';
import { createBdnGroup, signGroupTransfer } from '../../../src/cli/groupActions.js';
import {
  combinePartialTransfer,
  newPartialTransfer,
  parsePartialTransfer,
  serializePartialTransfer,
} from '../../../src/wallet/group/partialTransfer.js';
import { dir, expectCode, expectRejection, FAST, groupTransfer, PHRASE, silentIo } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'a bdn test password';

describe('wallet group create --bdn, group sign (no node)', () => {
  it('three wallets form a 3-of-3 group; all three partials spend, two do not', async () => {
    const store = new WalletStore(join(dir, 'bdn'), FAST);
    for (const name of ['alice', 'bob', 'carol']) await store.create(name, PASSWORD);
    await store.create('mallory', PASSWORD, PHRASE);
    const ctx = createWalletContext({
      store,
      network: regtest,
      nodeUrl: 'http://127.0.0.1:1',
      io: silentIo(),
      env: { OURCOIN_PASSWORD: PASSWORD },
    });
    const { group, descriptor } = createBdnGroup(ctx, { name: 'trio', members: ['alice', 'bob', 'carol'] });
    expect(group.scheme).toBe('bdn');
    expect(JSON.parse(readFileSync(descriptor, 'utf8'))).toMatchObject({ scheme: 'bdn', threshold: 3 });
    expectCode(() => createBdnGroup(ctx, { name: 'trio', members: ['alice', 'bob'] }), 'WALLET_EXISTS');

    const tx = groupTransfer(group.groupPublicKey);
    const file = join(dir, 'bdn', 'pay.json');
    writeFileSync(file, serializePartialTransfer(newPartialTransfer(group, tx)));
    const sign = (share: string) => signGroupTransfer(ctx, { file, share, index: 0, yes: true });
    await expectRejection(sign('mallory'), 'GROUP_NOT_PARTICIPANT');
    await sign('carol');
    const two = await sign('alice');
    expect(two.participant.name).toBe('alice');
    expectCode(() => combinePartialTransfer(two.pt), 'GROUP_NOT_ENOUGH_PARTIALS', /needs 3 of 3 .*1 more needed/);
    await sign('bob');
    const signature = combinePartialTransfer(parsePartialTransfer(readFileSync(file, 'utf8'), file, regtest));
    expect(blstBls.verify(group.groupPublicKey, signingMessage(tx), signature)).toBe(true);
  });
});
