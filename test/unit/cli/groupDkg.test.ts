/**
 * `wallet group dkg` without a node (src/cli/groupDkg.ts): three participants, each with their
 * own wallet directory, run init, round1, round2 and finish through files only; all three get
 * the same group descriptor, no file holds a secret in clear, and any two of their share
 * keystores sign a transfer that verifies under the group key. A participant who sends a bad
 * share is complained about in round 2 and disqualified at finish.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { decryptKeystore } from '../../../src/crypto/keystore.js';
import { regtest } from '../../../src/protocol/networks.js';
import { signingMessage } from '../../../src/protocol/transaction.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { createWalletContext } from '../../../src/cli/walletActions.js';
import type { WalletContext } from '../../../src/cli/walletActions.js';
import { dkgFinishFiles, dkgInit, dkgRound1Files, dkgRound2Files } from '../../../src/cli/groupDkg.js';
import { serializeDescriptor } from '../../../src/wallet/group/descriptor.js';
import { addPartial, combinePartialTransfer, newPartialTransfer } from '../../../src/wallet/group/partialTransfer.js';
import { dir, FAST, groupTransfer, silentIo } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'a dkg test password';
const NAMES = ['alice', 'bob', 'carol'];

function participant(run: string, name: string): WalletContext {
  return createWalletContext({
    store: new WalletStore(join(dir, run, name), FAST),
    network: regtest,
    nodeUrl: 'http://127.0.0.1:1',
    io: silentIo(),
    env: { OURCOIN_PASSWORD: PASSWORD },
  });
}

/** Init and round 1 for all three; the shared "mailbox" is one folder of files. */
async function firstRound(run: string): Promise<{ ctxs: WalletContext[]; mail: string; round1: string[] }> {
  const mail = join(dir, run, 'mail');
  mkdirSync(mail, { recursive: true });
  const ctxs = NAMES.map((n) => participant(run, n));
  const hellos: string[] = [];
  for (const [k, ctx] of ctxs.entries()) {
    const out = join(mail, `hello-${k + 1}.json`);
    await dkgInit(ctx, { name: 'vault', threshold: 2, participants: 3, index: k + 1, as: NAMES[k], out });
    hellos.push(out);
  }
  const round1: string[] = [];
  for (const ctx of ctxs) round1.push((await dkgRound1Files(ctx, 'vault', hellos, mail)).file);
  return { ctxs, mail, round1 };
}

describe('wallet group dkg (files only)', () => {
  it('gives every participant the same 2-of-3 group, whose shares sign for its key', async () => {
    const { ctxs, mail, round1 } = await firstRound('honest');
    const round2: string[] = [];
    for (const ctx of ctxs) {
      const r = await dkgRound2Files(ctx, 'vault', round1, mail);
      expect(r.message.complaints).toEqual([]);
      round2.push(r.file);
    }
    const results = [];
    for (const ctx of ctxs) results.push(await dkgFinishFiles(ctx, 'vault', [...round1, ...round2]));
    const descriptors = results.map((r) => serializeDescriptor(r.group));
    expect(new Set(descriptors).size).toBe(1);
    expect(results[0]!.group.participants.map((p) => p.name)).toEqual(NAMES);
    expect(results.every((r) => r.disqualified.length === 0)).toBe(true);

    // Nothing secret in clear: no file in any wallet directory or the mailbox holds a share.
    const shares = results.map((r) => decryptKeystore(JSON.parse(readFileSync(r.share, 'utf8')), PASSWORD));
    const hex = shares.map((s) => Buffer.from(s).toString('hex'));
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [readFileSync(join(d, e.name), 'utf8')],
      );
    for (const text of walk(join(dir, 'honest'))) for (const h of hex) expect(text).not.toContain(h);

    const group = results[0]!.group;
    const tx = groupTransfer(group.groupPublicKey);
    const msg = signingMessage(tx);
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      let pt = newPartialTransfer(group, tx);
      pt = addPartial(pt, a + 1, blstBls.sign(shares[a]!, msg));
      pt = addPartial(pt, b + 1, blstBls.sign(shares[b]!, msg));
      expect(blstBls.verify(group.groupPublicKey, msg, combinePartialTransfer(pt))).toBe(true);
    }
  });

  it('a participant whose share to another does not check is complained about and disqualified', async () => {
    const { ctxs, mail, round1 } = await firstRound('cheat');
    // carol (3) swaps her ciphertexts to alice and bob: each opens under the wrong key, if at all.
    const file = round1[2]!;
    const msg = JSON.parse(readFileSync(file, 'utf8')) as { shares: { ciphertext: string }[] };
    [msg.shares[0]!.ciphertext, msg.shares[1]!.ciphertext] = [msg.shares[1]!.ciphertext, msg.shares[0]!.ciphertext];
    writeFileSync(file, JSON.stringify(msg));
    const first = await dkgRound2Files(ctxs[0]!, 'vault', round1, mail);
    expect(first.message.complaints.map((c) => c.against)).toEqual([3]);
    const round2 = [first.file];
    for (const ctx of ctxs.slice(1)) round2.push((await dkgRound2Files(ctx, 'vault', round1, mail)).file);
    const result = await dkgFinishFiles(ctxs[0]!, 'vault', [...round1, ...round2]);
    expect(result.disqualified.map((d) => d.index)).toEqual([3]);
  });
});
