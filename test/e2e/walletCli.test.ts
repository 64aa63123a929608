/**
 * `ourcoin wallet` end to end: a real regtest node, the CLI run as child processes with its
 * wallets in a temporary OURCOIN_HOME. Alice and Bob are created, Alice is mined coins and
 * sends 12.5 OUR to Bob with --wait; balances and histories read back right. Every kind of bad
 * input fails with one line, a non-zero exit and no stack trace, and leaves every keystore
 * byte-identical. The interactive menu is driven through a pseudo-terminal (python3's pty),
 * and a typed password never shows.
 *
 * New keystores use scrypt N=2^10 (OURCOIN_TEST_SCRYPT_N, a test-only knob) instead of 2^18: about
 * a second less per keystore, over thirty CLI processes. The cost is in the keystore, not the code path.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, startNode, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';
import { runCli } from '../helpers/cliProcess.js';
import type { CliResult } from '../helpers/cliProcess.js';
import type { FeesJson } from '../../src/api/json.js';

const home = mkdtempSync(join(tmpdir(), 'ourcoin-walletcli-'));
const walletDir = join(home, 'wallets'); // the default under OURCOIN_HOME
const PASSWORD = 'alice and bob share a test password';
/** A regtest address nobody here holds: mined blocks that should not change our balances pay it. */
const ELSEWHERE = 'ourreg1q977cfspqwl9tap8jzx5atg0995ky6mfmqygvda';

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode(['--network', 'regtest', '--datadir', join(home, 'node')]);
});
afterAll(async () => {
  await node?.stop();
  rmSync(home, { recursive: true, force: true });
});

type Result = CliResult;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return runCli(args, {
    OURCOIN_HOME: home,
    OURCOIN_PASSWORD: PASSWORD,
    OURCOIN_MNEMONIC: '',
    OURCOIN_TEST_SCRYPT_N: '1024',
    ...env,
  });
}

/** `ourcoin wallet --network regtest --node <the test node> ...args` */
function wallet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return cli(['wallet', '--network', 'regtest', '--node', node.url, ...args], env);
}

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await wallet(args, env);
  expect(r.code, `${args.join(' ')}\n${r.out}${r.err}`).toBe(0);
  return r.out;
}

/** `wallet ... --json`: exit 0 and exactly one JSON document on stdout. */
async function json<T = Record<string, unknown>>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  return JSON.parse(await ok([...args, '--json'], env)) as T;
}

function addressIn(text: string): string {
  const m = /Address(?: \(account 0\))?: (ourreg1[a-z0-9]+)/.exec(text);
  if (!m) throw new Error(`no address in:\n${text}`);
  return m[1]!;
}

/** The 24 words of the numbered grid `new` prints, in order. */
function mnemonicIn(text: string): string {
  const words = new Map<number, string>();
  for (const m of text.matchAll(/(\d+)\. ([a-z]+)/g)) words.set(Number(m[1]), m[2]!);
  expect(words.size).toBe(24);
  return Array.from({ length: 24 }, (_, i) => words.get(i + 1)!).join(' ');
}

/** Every file under the wallet directory with its bytes. */
function snapshot(root = walletDir): Map<string, string> {
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

/**
 * The CLI on a pseudo-terminal (python3's pty.spawn relays our pipes to it), without
 * OURCOIN_PASSWORD: `answer` waits for a prompt past what was answered, then types.
 */
function onTerminal(args: string[]): {
  answer: (prompt: RegExp, keys: string) => Promise<void>;
  prompted: (prompt: RegExp) => Promise<RegExpExecArray>;
  type: (keys: string) => void;
  screen: () => string;
  exited: Promise<number | null>;
} {
  const env: NodeJS.ProcessEnv = { ...process.env, OURCOIN_HOME: home, OURCOIN_TEST_SCRYPT_N: '1024' };
  delete env.OURCOIN_PASSWORD;
  const p = spawn(
    'python3',
    [
      '-c',
      'import pty,sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)',
      process.execPath,
      '--import',
      'tsx',
      'src/cli/main.ts',
      'wallet',
      '--network',
      'regtest',
      '--node',
      node.url,
      ...args,
    ],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let raw = '';
  p.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  p.stderr.on('data', (d: Buffer) => (raw += d.toString()));
  const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
  // eslint-disable-next-line no-control-regex
  const screen = (): string => raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  let seen = 0;
  const prompted = async (prompt: RegExp): Promise<RegExpExecArray> => {
    await waitFor(`the prompt ${prompt}`, () => Promise.resolve(prompt.test(screen().slice(seen))));
    return prompt.exec(screen().slice(seen))!;
  };
  const type = (keys: string): void => void p.stdin.write(keys);
  const answer = async (prompt: RegExp, keys: string): Promise<void> => {
    await prompted(prompt);
    seen = screen().length;
    type(`${keys}\r`);
  };
  return { answer, prompted, type, screen, exited };
}

const addresses: Record<string, string> = {};
/** Each CLI process costs about a second of CPU; other test files may be running beside this one. */
const SLOW = PROCESS_TEST_TIMEOUT_MS;

describe('ourcoin wallet (real regtest node, CLI processes)', () => {
  it(
    'creates alice and bob, sends 12.5 OUR with --wait, and reads balances and histories back',
    async () => {
      // Bob's keystores get the real EIP-2335 cost: the knob is off for him.
      const [alice, bob] = await Promise.all([ok(['new', 'alice']), ok(['new', 'bob'], { OURCOIN_TEST_SCRYPT_N: '' })]);
      addresses.alice = addressIn(alice);
      addresses.bob = addressIn(bob);
      expect(alice).toContain('Write it down');
      expect(alice).toContain('NOT stored anywhere in plain text');
      expect(alice).toContain('Anyone who has it can spend');
      const phrase = mnemonicIn(alice);
      // The phrase is shown, never stored: no file of the wallet contains any of it.
      for (const bytes of snapshot().values())
        expect(Buffer.from(bytes, 'hex').toString()).not.toContain(phrase.split(' ').slice(0, 3).join(' '));
      expect(statSync(join(walletDir, 'alice', 'account-0.keystore.json')).mode & 0o777).toBe(0o600);
      const kdfN = (name: string, file: string): unknown =>
        (
          JSON.parse(readFileSync(join(walletDir, name, file), 'utf8')) as {
            crypto: { kdf: { params: { n: number } } };
          }
        ).crypto.kdf.params.n;
      expect([kdfN('bob', 'master.keystore.json'), kdfN('bob', 'account-0.keystore.json')]).toEqual([2 ** 18, 2 ** 18]);
      expect(kdfN('alice', 'account-0.keystore.json')).toBe(2 ** 10);

      expect(await ok(['list'])).toMatch(new RegExp(`alice\\s+${addresses.alice}\\n.*bob\\s+${addresses.bob}`, 's'));
      expect((await ok(['address', 'alice'])).trim()).toBe(addresses.alice);

      // Same phrase, same address: from the environment and from a file.
      const phraseFile = join(home, 'phrase.txt');
      writeFileSync(phraseFile, `${phrase.toUpperCase()}\n`);
      const [viaEnv, viaFile] = await Promise.all([
        ok(['restore', 'alice-env'], { OURCOIN_MNEMONIC: phrase }),
        ok(['restore', 'alice-file', '--mnemonic-file', phraseFile]),
      ]);
      expect(addressIn(viaEnv)).toBe(addresses.alice);
      expect(addressIn(viaFile)).toBe(addresses.alice);
      expect(viaEnv + viaFile).not.toContain(phrase);

      // Coins: two blocks to alice.
      expect((await node.post('/api/v1/mine', { blocks: 2, address: addresses.alice })).status).toBe(200);
      expect(await ok(['balance', 'alice'])).toMatch(/confirmed\s+100 OUR\n\s+pending\s+100 OUR/);

      // Send with --wait; a block is mined once the transfer is in the mempool.
      const sending = wallet(['send', 'alice', addresses.bob, '12.5', '--yes', '--wait', '--timeout', '300']);
      await waitFor(
        'the transfer in the mempool',
        async () => (await node.get<{ count: number }>('/api/v1/mempool')).body.count === 1,
      );
      expect((await node.post('/api/v1/mine', { blocks: 1, address: ELSEWHERE })).status).toBe(200);
      const sent = await sending;
      expect(sent.code, sent.out + sent.err).toBe(0);
      expect(sent.out).toMatch(
        /from\s+ourreg1.*\n\s+to\s+ourreg1.*\n\s+amount\s+12\.5 OUR\n\s+fee\s+0\.00001 OUR {2}\(the node's estimate: mined within 3 blocks\)\n\s+total\s+12\.50001 OUR\n\s+nonce\s+0\n\s+network\s+regtest/,
      );
      const txid = /txid (0x[0-9a-f]{64})/.exec(sent.out)?.[1];
      expect(txid).toBeDefined();
      expect(sent.out).toMatch(/Confirmed in block 3 \(0x[0-9a-f]{64}\), 1 confirmation/);
      const tx = await node.get<{ status: string; transaction: { amount: string; fee: string } }>(
        `/api/v1/transactions/${txid}`,
      );
      expect(tx.body).toMatchObject({ status: 'confirmed', transaction: { amount: '1250000000', fee: '1000' } });

      const [aliceBalance, bobBalance, aliceHistory, bobHistory] = await Promise.all([
        ok(['balance', 'alice']),
        ok(['balance', addresses.bob]),
        ok(['history', 'alice']),
        ok(['history', addresses.bob, '--limit', '5']),
      ]);
      expect(aliceBalance).toMatch(/confirmed\s+87\.49999 OUR/);
      expect(bobBalance).toMatch(/confirmed\s+12\.5 OUR\n\s+pending\s+12\.5 OUR/);
      expect(aliceHistory).toMatch(
        new RegExp(
          `confirmed\\s+1 conf\\s+block 3\\s+out\\s+-12\\.5 OUR\\s+fee 0\\.00001\\s+to ${addresses.bob}\\s+${txid}`,
        ),
      );
      expect(aliceHistory).toMatch(/confirmed\s+2 conf\s+block 2\s+in\s+\+50 OUR\s+mined \(coinbase\)/);
      expect(bobHistory).toMatch(
        new RegExp(
          `confirmed\\s+1 conf\\s+block 3\\s+in\\s+\\+12\\.5 OUR\\s+fee 0\\.00001\\s+from ${addresses.alice}\\s+${txid}`,
        ),
      );
    },
    SLOW,
  );

  it(
    'derives further accounts, exports and imports keystores',
    async () => {
      const second = (await ok(['address', 'alice', '--index', '1'])).trim();
      expect(second).toMatch(/^ourreg1/);
      expect(second).not.toBe(addresses.alice);
      expect((await ok(['address', 'alice-env', '--index', '1'])).trim()).toBe(second);

      const out = join(home, 'alice-1.json');
      expect(await ok(['export-keystore', 'alice', '--index', '1', '--out', out])).toContain('Wrote');
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: 4, path: 'm/12381/20309/1/0/0' });
      const printed = JSON.parse(await ok(['export-keystore', 'alice', '--index', '1'])) as unknown;
      expect(printed).toEqual(JSON.parse(readFileSync(out, 'utf8')));

      expect(addressIn(await ok(['import-keystore', 'cold', out]))).toBe(second);
      expect(await ok(['list'])).toMatch(new RegExp(`cold\\s+${second}\\s+\\(imported keystore\\)`));
      expect(await ok(['list'])).toMatch(/alice\s+ourreg1\S+\s+\(2 accounts\)/);
    },
    SLOW,
  );

  it(
    'bad input: one line naming the problem, a non-zero exit, no stack trace, no keystore touched',
    async () => {
      const bad = addresses.bob!.slice(0, -1) + (addresses.bob!.endsWith('q') ? 'p' : 'q');
      const devnetAddress = 'ourdev1qfeu0tf0swjnpw3fxmy69uvjzjfny6zx940rwdq';
      const existing = join(home, 'alice-1.json');
      const existingBefore = readFileSync(existing, 'utf8');
      const foreign = join(home, 'foreign.json');
      writeFileSync(foreign, JSON.stringify({ version: 3, crypto: { kdf: 'scrypt' }, address: '00' }));
      const garbage = join(home, 'garbage.json');
      writeFileSync(garbage, 'this is not a keystore');
      // A copy of the wallets with alice's keystore corrupted.
      const brokenDir = join(home, 'broken-wallets');
      cpSync(walletDir, brokenDir, { recursive: true });
      writeFileSync(join(brokenDir, 'alice', 'account-0.keystore.json'), '{"version": 4, "crypto": {"kdf": {}}}');
      const before = snapshot();

      const cases: [string[], string, NodeJS.ProcessEnv?][] = [
        [
          ['send', 'alice', addresses.bob!, '1', '--yes'],
          'KEYSTORE_WRONG_PASSWORD',
          { OURCOIN_PASSWORD: 'not the password' },
        ],
        [['address', 'alice', '--index', '7'], 'KEYSTORE_WRONG_PASSWORD', { OURCOIN_PASSWORD: 'not the password' }],
        [['--wallet-dir', brokenDir, 'send', 'alice', addresses.bob!, '1', '--yes'], 'KEYSTORE_INVALID'],
        [['import-keystore', 'other', foreign], 'KEYSTORE_UNSUPPORTED'],
        [['import-keystore', 'other', garbage], 'KEYSTORE_INVALID'],
        [['import-keystore', 'other', existing], 'KEYSTORE_WRONG_PASSWORD', { OURCOIN_PASSWORD: 'not the password' }],
        [['send', 'alice', bad, '1', '--yes'], 'ADDRESS_BAD_CHECKSUM'],
        [['send', 'alice', devnetAddress, '1', '--yes'], 'ADDRESS_WRONG_NETWORK'],
        [['send', 'alice', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', '1', '--yes'], 'ADDRESS_WRONG_NETWORK'],
        [['send', 'alice', 'bob', '--yes'], 'WALLET_BAD_ARGUMENTS'],
        [['new', 'dave'], 'PASSWORD_TOO_SHORT', { OURCOIN_PASSWORD: 'short' }],
        [['send', 'alice', addresses.bob!, '-1', '--yes'], 'AMOUNT_INVALID'],
        [['send', 'alice', addresses.bob!, '0', '--yes'], 'AMOUNT_INVALID'],
        [['send', 'alice', addresses.bob!, '1.000000001', '--yes'], 'AMOUNT_TOO_PRECISE'],
        [['send', 'alice', addresses.bob!, '1', '--fee', '0.0000001', '--yes'], 'MEMPOOL_FEE_TOO_LOW'],
        [['send', 'bob', addresses.alice!, '100', '--yes'], 'WALLET_INSUFFICIENT_FUNDS'],
        [['send', 'alice', addresses.bob!, '1'], 'WALLET_CONFIRM_REQUIRED'],
        [['send', 'carol', addresses.bob!, '1', '--yes'], 'WALLET_NOT_FOUND'],
        [['history', 'alice', '--index', '9'], 'WALLET_NO_ACCOUNT'],
        [['new', 'alice'], 'WALLET_EXISTS'],
        [['restore', 'alice'], 'WALLET_EXISTS'],
        [['import-keystore', 'alice', existing], 'WALLET_EXISTS'],
        [['restore', 'dave'], 'WALLET_BAD_MNEMONIC', { OURCOIN_MNEMONIC: `${'abandon '.repeat(23)}abandon` }],
        [['restore', 'dave'], 'WALLET_MNEMONIC_REQUIRED'],
        [['new', 'dave'], 'PASSWORD_REQUIRED', { OURCOIN_PASSWORD: '' }],
        [['export-keystore', 'alice', '--out', existing], 'KEYSTORE_EXISTS'],
        [['--node', 'http://127.0.0.1:1', 'balance', 'alice'], 'WALLET_NODE_UNREACHABLE'],
        [['--node', 'not a url', 'balance', 'alice'], 'WALLET_BAD_NODE_URL'],
        [['--network', 'devnet', 'balance', 'alice'], 'WALLET_NETWORK_MISMATCH'],
        [['frobnicate'], 'WALLET_UNKNOWN_COMMAND'],
      ];
      // Six at a time: each is its own process.
      const results: Result[] = [];
      for (let i = 0; i < cases.length; i += 6) {
        results.push(...(await Promise.all(cases.slice(i, i + 6).map(([args, , env]) => wallet(args, env)))));
      }
      cases.forEach(([args, code], i) => {
        const r = results[i]!;
        const what = `${args.join(' ')} -> ${r.out}${r.err}`;
        expect(r.code, what).toBe(2);
        expect(r.err, what).toContain(`(${code})`);
        expect(r.err.trim().split('\n'), what).toHaveLength(1);
        expect(r.err, what).not.toMatch(/\n\s+at /);
      });
      const errorOf = (code: string): string => results[cases.findIndex(([, c]) => c === code)]!.err;
      expect(errorOf('WALLET_NODE_UNREACHABLE')).toContain('is `ourcoin node` running? (--node to choose another)');
      expect(errorOf('WALLET_BAD_NODE_URL')).toContain('not a URL');
      expect(errorOf('WALLET_INSUFFICIENT_FUNDS')).toContain('has 12.5 OUR available');
      expect(errorOf('WALLET_CONFIRM_REQUIRED')).toContain('add --yes');
      expect(errorOf('WALLET_NETWORK_MISMATCH')).toContain('runs regtest, not devnet');
      expect(errorOf('PASSWORD_TOO_SHORT')).toContain('at least 8 characters');
      expect(results[cases.findIndex(([args]) => args[2] === devnetAddress)]!.err).toContain(
        'is for devnet, this wallet is on regtest',
      );

      // Nothing was written, changed or lost; no transfer reached the node.
      expect(snapshot()).toEqual(before);
      expect(readFileSync(existing, 'utf8')).toBe(existingBefore);
      expect(existsSync(join(walletDir, 'other'))).toBe(false);
      expect(existsSync(join(walletDir, 'dave'))).toBe(false);
      expect((await node.get<{ count: number }>('/api/v1/mempool')).body.count).toBe(0);
    },
    SLOW,
  );

  it(
    'the interactive menu (through a pseudo-terminal): check transactions, send coins, new wallet, quit',
    async () => {
      const typed = 'typed-in-the-menu-9x';
      const { answer, prompted, screen, exited } = onTerminal([]);
      await answer(/Choose 1-4: $/, '3');
      await answer(/Which wallet \(or an address\)\? \(.*\): $/, 'bob');
      await answer(/Choose 1-4: $/, '2');
      await answer(/Send from which wallet\? .*: $/, 'alice');
      await answer(/To \(an address or a wallet\): $/, addresses.bob!);
      await answer(/Amount \(OUR\): $/, '2.25');
      await answer(/Fee \(OUR\) \[the node's estimate\]: $/, '');
      await answer(/Send it\? \[y\/N\] $/, 'y');
      await answer(/Wallet "alice" password: $/, PASSWORD);
      await answer(/Wait until it is in a block\? \[y\/N\] $/, 'n');
      await answer(/Choose 1-4: $/, '1');
      await answer(/Name of the new wallet: $/, 'carol');
      await answer(/New wallet "carol" password: $/, typed);
      await answer(/Repeat the password: $/, `${typed}-typo`);
      await answer(/New wallet "carol" password: $/, typed);
      await answer(/Repeat the password: $/, typed);
      // Three words of the phrase shown, asked back (one wrong answer first: asked again).
      const word = async (wrong?: boolean): Promise<void> => {
        const asked = await prompted(/Word #(\d+): $/);
        const phrase = mnemonicIn(screen().slice(screen().lastIndexOf('Your recovery phrase'))).split(' ');
        const right = phrase[Number(asked[1]) - 1]!;
        await answer(/Word #\d+: $/, wrong ? `${right}x` : right.toUpperCase());
      };
      await word(true);
      await word();
      await word();
      await word();
      await answer(/Choose 1-4: $/, '4');
      expect(await exited).toBe(0);

      const text = screen();
      // 3: bob's balance and history.
      expect(text).toMatch(/bob \(account 0\)\s+ourreg1\S+\n\s+confirmed\s+12\.5 OUR/);
      expect(text).toMatch(/in\s+\+12\.5 OUR\s+fee 0\.00001\s+from/);
      // 2: the summary, then the txid; the transfer waits in the node's mempool.
      expect(text).toMatch(/amount\s+2\.25 OUR\n\s+fee\s+0\.00001 OUR .*\n\s+total\s+2\.25001 OUR\n\s+nonce\s+1/);
      const txid = /txid (0x[0-9a-f]{64})/.exec(text)?.[1];
      expect((await node.get<{ status: string }>(`/api/v1/transactions/${txid}`)).body.status).toBe('pending');
      // 1: carol, after a mismatched repeat; the typed passwords never appear.
      expect(text).toContain('The passwords differ; try again.');
      expect(text).toContain('Created wallet "carol"');
      expect(text).toMatch(/That is not word #\d+; look at what you wrote down/);
      expect(text).not.toContain(typed);
      expect(text).not.toContain(PASSWORD);
      expect(text).toMatch(/Bye\.\n?$/);

      const carol = addressIn(text.slice(text.indexOf('Created wallet "carol"')));
      expect(text.indexOf('Created wallet "carol"')).toBeGreaterThan(text.lastIndexOf('Word #'));
      expect(await ok(['list'])).toMatch(new RegExp(`carol\\s+${carol}`));
      expect((await ok(['address', 'carol', '--index', '1'], { OURCOIN_PASSWORD: typed })).trim()).toMatch(/^ourreg1/);
      expect(await ok(['balance', 'alice'])).toMatch(/confirmed\s+87\.49999 OUR\n\s+pending\s+85\.24998 OUR/);
    },
    SLOW,
  );
  it(
    'fee estimates, --json, wallet names as recipients, --max, bump, tx, and no echo of a typed-ahead password',
    async () => {
      // One transfer pending (the menu's): an idle network, so every target pays the minimum.
      const fees = await node.get<FeesJson>('/api/v1/fees');
      expect(fees.status).toBe(200);
      expect(fees.body).toMatchObject({
        fast: { blocks: 1, fee: '1000', feeOur: '0.00001' },
        normal: { blocks: 3, fee: '1000' },
        slow: { blocks: 6, fee: '1000' },
        minimumFee: '1000',
        blockCapacity: 10306,
        mempool: { count: 1, blocks: 1 },
      });

      // --json: one document on stdout; the phrase from `new` (shown without --json too), never the password.
      const created = await ok(['new', 'erin', '--json']);
      expect(created).not.toContain(PASSWORD);
      const erin = JSON.parse(created) as { name: string; address: string; mnemonic: string; accounts: unknown[] };
      expect(erin).toMatchObject({
        name: 'erin',
        imported: false,
        accounts: [{ index: 0, path: 'm/12381/20309/0/0/0' }],
      });
      expect(erin.mnemonic.split(' ')).toHaveLength(24);
      const [list, balance] = await Promise.all([
        json<{ wallets: { name: string; imported: boolean }[] }>(['list']),
        json(['balance', 'alice']),
      ]);
      expect(list.wallets.map((w) => w.name)).toContain('erin');
      expect(list.wallets.find((w) => w.name === 'cold')?.imported).toBe(true);
      expect(balance).toEqual({
        address: addresses.alice,
        wallet: 'alice',
        index: 0,
        confirmed: '8749999000',
        confirmedOur: '87.49999',
        pending: '8524998000',
        pendingOur: '85.24998',
        nextNonce: 2,
      });

      // To a wallet by name; then replaced by fee (old fee + the minimum fee: 3000).
      const sent = await json<{ txid: string }>(['send', 'alice', 'erin', '1', '--fee', '0.00002', '--yes']);
      expect(sent).toMatchObject({ to: erin.address, amount: '100000000', fee: '2000', feeSource: 'given', nonce: 2 });
      expect(sent).toMatchObject({ status: 'pending', block: null });
      const bumped = await json<{ txid: string }>(['bump', sent.txid, '--yes']);
      expect(bumped).toMatchObject({
        replaced: sent.txid,
        to: erin.address,
        amount: '100000000',
        fee: '3000',
        nonce: 2,
      });
      expect((await node.get(`/api/v1/transactions/${sent.txid}`)).status).toBe(404);
      const [shown, shownJson] = await Promise.all([ok(['tx', bumped.txid]), json(['tx', bumped.txid])]);
      expect(shown).toMatch(/status\s+pending/);
      expect(shown).toMatch(new RegExp(`from\\s+${addresses.alice}  \\(alice \\(account 0\\)\\)`));
      expect(shown).toMatch(new RegExp(`to\\s+${erin.address}  \\(erin \\(account 0\\)\\)`));
      expect(shown).toMatch(/fee\s+0\.00003 OUR/);
      expect(shownJson).toMatchObject({
        status: 'pending',
        wallets: { sender: 'alice (account 0)', recipient: 'erin (account 0)' },
      });

      // --max: everything spendable less the estimated fee, once erin's coin is confirmed.
      expect((await node.post('/api/v1/mine', { blocks: 1, address: ELSEWHERE })).status).toBe(200);
      expect(await json(['send', 'erin', 'alice', '--max', '--yes'])).toMatchObject({
        amount: '99999000',
        fee: '1000',
        feeSource: 'estimate',
      });

      // "y" and the password typed at once, before the password prompt shows: never echoed.
      const t = onTerminal(['send', 'alice', 'bob', '0.5']);
      await t.prompted(/Send it\? \[y\/N\] $/);
      t.type(`y\r${PASSWORD}\r`);
      expect(await t.exited).toBe(0);
      expect(t.screen()).toMatch(/Sent 0\.5 OUR to ourreg1/);
      expect(t.screen()).not.toContain(PASSWORD.slice(0, 8));
    },
    SLOW,
  );
});
