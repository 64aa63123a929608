/**
 * Group accounts end to end (issue 18), following README's "Group accounts" walkthrough: one
 * real regtest node, the CLI as child processes with a temporary OURCOIN_HOME. A 2-of-3 dealer
 * group is made; alice, bob and carol each import their share as a wallet; the group's address
 * is mined coins; every pair of participants spends from it (a partial file, two signatures,
 * combine submits) and a block mines the three transfers, which the node verified like any
 * other; the group's balance drops by what it sent. One share alone cannot spend (combine
 * refuses), a tampered partial is refused naming its participant, a share of another group
 * is refused, and nothing was submitted by any refusal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';
import { runCli } from '../helpers/cliProcess.js';
import type { CliResult } from '../helpers/cliProcess.js';
import { nobleBls } from '../../src/crypto/noble.js';
import { verifyBlockJson } from '../../src/explorer/verify.js';
import type { BlockJson } from '../../src/protocol/block.js';
import { regtest } from '../../src/protocol/networks.js';

const home = mkdtempSync(join(tmpdir(), 'ourcoin-groupwallet-'));
const PASSWORD = 'the treasury shares test password';
/** A regtest address nobody here holds: the spends pay it, and blocks that mine them. */
const ELSEWHERE = 'ourreg1q977cfspqwl9tap8jzx5atg0995ky6mfmqygvda';

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode(['--network', 'regtest', '--datadir', join(home, 'node')]);
});
afterAll(async () => {
  await node?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** `ourcoin wallet --network regtest --node <the test node> ...args`, in `home`. */
function wallet(args: string[]): Promise<CliResult> {
  return runCli(['wallet', '--network', 'regtest', '--node', node.url, ...args], {
    OURCOIN_HOME: home,
    OURCOIN_PASSWORD: PASSWORD,
    OURCOIN_TEST_SCRYPT_N: '1024',
  });
}

/** `wallet ... --json`: exit 0 and one JSON document on stdout. */
async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await wallet([...args, '--json']);
  expect(r.code, `${args.join(' ')}\n${r.out}${r.err}`).toBe(0);
  return JSON.parse(r.out) as T;
}

/** `wallet ... --json` that must fail: exit 2 and the error's code and message. */
async function refused(args: string[]): Promise<{ code: string; message: string }> {
  const r = await wallet([...args, '--json']);
  expect(r.code, `${args.join(' ')}\n${r.out}${r.err}`).toBe(2);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  return (JSON.parse(r.out) as { error: { code: string; message: string } }).error;
}

const file = (name: string): string => join(home, name);

interface Created {
  group: { address: string; threshold: number; participants: { index: number; name: string }[] };
  shares: { index: number; name: string; file: string }[];
}

describe('a 2-of-3 group account on regtest', () => {
  let group: Created['group'];
  let shares: Created['shares'];
  const balance = async (): Promise<bigint> =>
    BigInt((await json<{ confirmed: string }>(['balance', group.address])).confirmed);

  it(
    'is made by a dealer, its shares imported by three wallets, and funded',
    async () => {
      ({ group, shares } = await json<Created>([
        'group',
        'create',
        'treasury',
        '--threshold',
        '2',
        '--participants',
        '3',
        '--names',
        'alice,bob,carol',
      ]));
      expect(group.threshold).toBe(2);
      expect(shares.map((s) => s.name)).toEqual(['alice', 'bob', 'carol']);
      // The shares are EIP-2335 keystores: no secret in clear in any file of the group.
      for (const s of shares) expect(JSON.parse(readFileSync(s.file, 'utf8'))).toMatchObject({ version: 4 });
      for (const s of shares) await json(['import-keystore', s.name, s.file]);
      expect((await json<{ address: string }>(['group', 'address', 'treasury'])).address).toBe(group.address);
      expect((await node.post('/api/v1/mine', { blocks: 2, address: group.address })).status).toBe(200);
      expect(await balance()).toBe(100n * 10n ** 8n);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'one share alone cannot spend; a tampered partial and a share of another group are refused by name',
    async () => {
      const pay = file('alone.partial.json');
      await json(['send', '--from-group', 'treasury', ELSEWHERE, '1', '--out', pay]);
      const signed = await json<{ missing: number }>(['group', 'sign', pay, '--share', 'carol', '--yes']);
      expect(signed.missing).toBe(1);
      const few = await refused(['group', 'combine', pay]);
      expect(few.code).toBe('GROUP_NOT_ENOUGH_PARTIALS');
      expect(few.message).toMatch(/needs 2 of 3 .*signed by carol, 1 more needed/);

      await json(['group', 'create', 'other', '--threshold', '2', '--participants', '2', '--out-dir', file('other')]);
      const foreign = await refused(['group', 'sign', pay, '--share', join(file('other'), 'share-1-p1.keystore.json')]);
      expect(foreign.code).toBe('GROUP_NOT_PARTICIPANT');
      // alice's partial slot filled with carol's signature: a valid point, the wrong signer.
      const doc = JSON.parse(readFileSync(pay, 'utf8')) as { partials: Record<string, string> };
      doc.partials['1'] = doc.partials['3']!;
      writeFileSync(pay, JSON.stringify(doc));
      const bad = await refused(['group', 'combine', pay]);
      expect(bad.code).toBe('GROUP_BAD_PARTIAL');
      expect(bad.message).toMatch(/participant 1 \(alice\)/);

      // Nothing reached the node.
      expect((await json<{ pending: number }>(['history', group.address])).pending).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'every pair of participants spends from it; a block mines the transfers and the balance drops',
    async () => {
      const before = await balance();
      const txids: string[] = [];
      let spent = 0n;
      for (const [n, pair] of [
        ['alice', 'bob'],
        ['alice', 'carol'],
        ['bob', 'carol'],
      ].entries()) {
        const pay = file(`pay-${n}.partial.json`);
        const sent = await json<{ nonce: number; fee: string; amount: string }>([
          'send',
          '--from-group',
          'treasury',
          ELSEWHERE,
          `${n + 1}`,
          '--out',
          pay,
        ]);
        expect(sent.nonce).toBe(n);
        for (const who of pair) await json(['group', 'sign', pay, '--share', who, '--yes']);
        const done = await json<{ txid: string; status: string; from: string }>(['group', 'combine', pay]);
        expect(done.from).toBe(group.address);
        txids.push(done.txid);
        spent += BigInt(sent.amount) + BigInt(sent.fee);
      }
      expect((await node.post('/api/v1/mine', { blocks: 1, address: ELSEWHERE })).status).toBe(200);
      for (const txid of txids) {
        const got = await node.get<{ status: string; transaction: { type: string; sender: string } }>(
          `/api/v1/transactions/${txid}`,
        );
        // An ordinary transfer from the group's address: on chain a group is like any account.
        expect(got.body).toMatchObject({
          status: 'confirmed',
          transaction: { type: 'transfer', sender: group.address },
        });
      }
      // The block holding them passes the explorer's in-browser check (the same code, run here with noble).
      const { blockHash } = (await node.get<{ blockHash: string }>(`/api/v1/transactions/${txids[0]!}`)).body;
      const blockJson = (await node.get<BlockJson>(`/api/v1/blocks/${blockHash}`)).body;
      const verdict = verifyBlockJson(blockJson, regtest, nobleBls);
      expect(verdict).toMatchObject({ valid: true, signatureValid: true, txidMismatches: [] });
      expect(await balance()).toBe(before - spent);
      const history = await json<{ transactions: { direction: string }[] }>(['history', group.address]);
      expect(history.transactions.filter((t) => t.direction === 'out')).toHaveLength(3);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
