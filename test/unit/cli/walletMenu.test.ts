/**
 * The interactive wallet menu with piped input, no terminal (src/cli/walletMenu.ts).
 */
import { PassThrough, Writable } from 'node:stream';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { regtest } from '../../../src/protocol/networks.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { createWalletContext } from '../../../src/cli/walletActions.js';
import { terminalIo } from '../../../src/cli/walletIo.js';
import { runWalletMenu } from '../../../src/cli/walletMenu.js';
import { FAST, dir } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
      env: { OURCOIN_PASSWORD: 'pw-of-dora' },
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
    expect(text).not.toContain('pw-of-dora');
  });
});
