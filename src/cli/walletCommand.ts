/**
 * `ourcoin wallet`: SimpleCoin's wallet.py done for real. Subcommands for scripts (new, restore,
 * list, address, export-keystore, import-keystore, balance, history, send, bump, tx) and, with
 * no subcommand, the interactive menu. Both only parse options here and call the same functions
 * in walletActions.ts.
 *
 * Global options: --node (default: this machine's node of --network), --network (devnet),
 * --wallet-dir ($OURCOIN_HOME/wallets or ~/.ourcoin/wallets), --password-file; and the root's
 * --json: every subcommand then prints one JSON document on stdout (walletJson.ts) and its text
 * nowhere; prompts, notes and spinners stay on stderr.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { OurCoinError } from '../errors.js';
import { networkByName } from '../protocol/networks.js';
import { WalletStore } from '../wallet/walletStore.js';
// Not from the node command, which loads the whole node.
import { defaultNodeUrl } from './nodeOptions.js';
import {
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  MNEMONIC_ENV,
  bumpFee,
  createWalletContext,
  exportKeystore,
  importKeystore,
  listWallets,
  newWallet,
  restoreWallet,
  sendCoins,
  showAddress,
  showBalance,
  showHistory,
  showTransaction,
} from './walletActions.js';
import type { Balance, SendResult, WalletContext } from './walletActions.js';
import type { AccountInfo, WalletInfo } from '../wallet/walletStore.js';
import type { Keystore } from '../crypto/keystore.js';
import { terminalIo } from './walletIo.js';
import { runWalletMenu } from './walletMenu.js';
import { integerOption } from './options.js';
import * as toJson from './walletJson.js';
import {
  combineGroupTransfer,
  createBdnGroup,
  createDealerGroup,
  groupCreatedJson,
  groupSendJson,
  groupSignJson,
  sendFromGroup,
  showGroupAddress,
  signGroupTransfer,
} from './groupActions.js';
import type { GroupCreated, GroupSendResult, GroupSignResult } from './groupActions.js';
import { dkgFinishFiles, dkgInit, dkgRound1Files, dkgRound2Files } from './groupDkg.js';
import { descriptorToJson } from '../wallet/group/descriptor.js';

interface WalletOptions {
  node?: string;
  network: string;
  walletDir?: string;
  passwordFile?: string;
  /** The root program's --json. */
  json?: boolean;
}

export function defaultWalletDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.OURCOIN_HOME ?? join(homedir(), '.ourcoin'), 'wallets');
}

export { defaultNodeUrl } from './nodeOptions.js';

const accountIndex = integerOption(0, 2 ** 31 - 1);

/**
 * Test knob, deliberately undocumented in --help: scrypt N for keystores this process creates.
 * The end-to-end tests run dozens of CLI processes and cannot spend a second on each keystore.
 * Keystores record their N, so one made with it is recognizable (and still decrypts normally).
 */
export const TEST_SCRYPT_N_ENV = 'OURCOIN_TEST_SCRYPT_N';

/** Test runs only (NODE_ENV=test, as vitest sets it): never weakens a user's keystores. */
function testScryptN(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[TEST_SCRYPT_N_ENV];
  if (!text || env.NODE_ENV !== 'test') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 2 ** 10 || n > 2 ** 18 || 2 ** Math.round(Math.log2(n)) !== n) {
    throw new OurCoinError(
      'WALLET_BAD_TEST_SCRYPT_N',
      `${TEST_SCRYPT_N_ENV}=${text}: expected a power of two from 1024 to 262144 (or leave it unset)`,
      'input',
    );
  }
  return n;
}

function contextFrom(opts: WalletOptions): WalletContext {
  const network = networkByName(opts.network);
  return createWalletContext({
    store: new WalletStore(resolve(opts.walletDir ?? defaultWalletDir()), { scryptN: testScryptN(process.env) }),
    network,
    nodeUrl: opts.node ?? defaultNodeUrl(network.name),
    passwordFile: opts.passwordFile,
    io: terminalIo({ json: opts.json === true }),
  });
}

/**
 * Adapts an action to commander: commander passes (...operands, options, command); the
 * action gets a context built from the merged global and local options, released afterwards.
 * With --json, `json` turns the action's result into the one document printed on stdout.
 */
function run<O, A extends (string | string[] | undefined)[], R>(
  fn: (ctx: WalletContext, opts: O & WalletOptions, ...operands: A) => R | Promise<R>,
  json: (result: R, ctx: WalletContext) => unknown,
) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals<O & WalletOptions>();
    const ctx = contextFrom(opts);
    try {
      const result = await fn(ctx, opts, ...(args.slice(0, -2) as A));
      if (opts.json) process.stdout.write(`${JSON.stringify(json(result, ctx), null, 2)}\n`);
    } finally {
      ctx.io.close();
    }
  };
}

const noJson = (): unknown => {
  throw new OurCoinError('WALLET_BAD_ARGUMENTS', 'the interactive menu has no --json form; use a subcommand', 'input');
};

export function registerWalletCommand(program: Command): void {
  const wallet = program
    .command('wallet')
    .description(
      'keys and coins: create or restore wallets, check balances and history, send OUR (no subcommand: a menu)',
    )
    .option('--node <url>', 'the node to use (default: http://127.0.0.1:8330 on devnet, :18330 on regtest)')
    .option('--network <name>', 'devnet or regtest: the addresses shown and accepted, and the node expected', 'devnet')
    .option('--wallet-dir <dir>', 'where wallets live (default: $OURCOIN_HOME/wallets or ~/.ourcoin/wallets)')
    .option('--password-file <file>', "the wallet's password is the first line of this file (or set OURCOIN_PASSWORD)")
    .allowExcessArguments(true)
    .action(async (opts: WalletOptions, cmd: Command) => {
      if (cmd.args.length > 0) {
        throw new OurCoinError(
          'WALLET_UNKNOWN_COMMAND',
          `unknown wallet command "${cmd.args[0]}" (see: ourcoin wallet --help)`,
          'input',
        );
      }
      if (cmd.optsWithGlobals<WalletOptions>().json) noJson();
      await run<object, [], void>((ctx) => runWalletMenu(ctx), noJson)(opts, cmd);
    });
  wallet.addHelpText(
    'after',
    `
Examples:
  ourcoin wallet new alice
  ourcoin wallet --network regtest balance alice
  ourcoin wallet send alice ourdev1... 12.5 --wait
  ourcoin wallet send alice bob --max        (to wallet bob's account 0; all but the fee)
  ourcoin wallet bump 0x1f2e...              (replace a pending transfer, paying more)
  ourcoin --json wallet balance alice
  ourcoin wallet               (the interactive menu)

Passwords come from --password-file, OURCOIN_PASSWORD, or a hidden prompt on a terminal.
New keystores need a password of at least 8 characters.`,
  );

  wallet
    .command('new <name>')
    .description(
      'create a wallet: shows its 24-word recovery phrase once (on a terminal, asks 3 words back), and the address of account 0',
    )
    .option('--no-confirm-phrase', 'do not ask for words of the phrase back (they are never asked off a terminal)')
    .action(
      run<{ confirmPhrase: boolean }, [string], Awaited<ReturnType<typeof newWallet>>>(
        // With --json the phrase is not shown but printed in the document: a script keeps it, nobody types it back.
        (ctx, opts, name) => newWallet(ctx, name, opts.confirmPhrase && !opts.json),
        toJson.newWalletJson,
      ),
    );

  wallet
    .command('restore <name>')
    .description('rebuild a wallet from its recovery phrase (same addresses)')
    .option(
      '--mnemonic-file <file>',
      `read the recovery phrase from this file (or set ${MNEMONIC_ENV}; else asked, hidden)`,
    )
    .action(
      run<{ mnemonicFile?: string }, [string], WalletInfo>(
        (ctx, opts, name) => restoreWallet(ctx, name, opts.mnemonicFile),
        toJson.walletJson,
      ),
    );

  wallet
    .command('list')
    .description('wallets and the address of their account 0')
    .action(run<object, [], WalletInfo[] & { corrupt?: string[] }>((ctx) => listWallets(ctx), toJson.walletListJson));

  wallet
    .command('address <name>')
    .description('the address of an account (derived and stored first if new: needs the password)')
    .option('--index <i>', 'account index', accountIndex, 0)
    .action(
      run<{ index: number }, [string], AccountInfo>(
        (ctx, opts, name) => showAddress(ctx, name, opts.index),
        toJson.accountJson,
      ),
    );

  wallet
    .command('export-keystore <name>')
    .description("write an account's EIP-2335 keystore (encrypted with the wallet's password)")
    .option('--index <i>', 'account index', accountIndex, 0)
    .option('--out <file>', 'write it to this new file (an existing file is never overwritten); default: stdout')
    .action(
      run<{ index: number; out?: string }, [string], Keystore>(
        (ctx, opts, name) => exportKeystore(ctx, name, opts.index, opts.out),
        (keystore) => ({ keystore }),
      ),
    );

  wallet
    .command('import-keystore <name> <file>')
    .description('a wallet holding one EIP-2335 keystore (its password is asked to check it)')
    .action(
      run<object, [string, string], WalletInfo>(
        (ctx, _opts, name, file) => importKeystore(ctx, name, file),
        toJson.walletJson,
      ),
    );

  wallet
    .command('balance <nameOrAddress>')
    .description('confirmed and pending balance of a wallet account or an address')
    .option('--index <i>', 'account index', accountIndex, 0)
    .action(
      run<{ index: number }, [string], Balance>(
        (ctx, opts, target) => showBalance(ctx, target, opts.index),
        toJson.balanceJson,
      ),
    );

  wallet
    .command('history <nameOrAddress>')
    .description('transactions in and out: pending first, then confirmed, newest first')
    .option('--index <i>', 'account index', accountIndex, 0)
    .option('--limit <n>', 'how many', integerOption(1, 100), 20)
    .action(
      run<{ index: number; limit: number }, [string], Awaited<ReturnType<typeof showHistory>>>(
        (ctx, opts, target) => showHistory(ctx, target, opts.index, opts.limit),
        toJson.historyJson,
      ),
    );

  waitOptions(
    wallet
      .command('send <name> <to> [amount]')
      .description('send [amount] OUR (up to 8 decimals) from a wallet to an address or to a wallet (its account 0)')
      .option('--max', 'send everything spendable, less the fee', false)
      .option('--fee <OUR>', "fee in OUR (default: the node's estimate for within 3 blocks, GET /api/v1/fees)")
      .option('--index <i>', 'account index to send from', accountIndex, 0)
      .option('--yes', 'send without asking for confirmation', false)
      .option(
        '--from-group <group>',
        'from a group account (its descriptor file or name): `send --from-group <group> <to> <amount>` writes a partial file to sign, sends nothing',
      )
      .option('--out <file>', 'with --from-group: the partial file to write (default ./<group>-<nonce>.partial.json)'),
  ).action(
    run<
      SendOptions & { max: boolean; index: number; fromGroup?: string; out?: string },
      [string, string, string | undefined],
      SendResult | GroupSendResult
    >(
      (ctx, opts, name, to, amount) =>
        opts.fromGroup !== undefined
          ? fromGroup(ctx, opts, [name, to, amount])
          : sendCoins(ctx, {
              name,
              to,
              amount,
              max: opts.max,
              fee: opts.fee,
              index: opts.index,
              yes: opts.yes,
              wait: opts.wait,
              timeoutSeconds: opts.timeout,
            }),
      (result) => ('pt' in result ? groupSendJson(result) : toJson.sendJson(result)),
    ),
  );

  registerGroupCommands(wallet);

  waitOptions(
    wallet
      .command('bump <txid>')
      .description('replace a pending transfer of a wallet here with the same one paying a higher fee (RBF)')
      .option('--fee <OUR>', "the new fee (default: the node's next-block estimate, at least the old fee + 10%)")
      .option('--yes', 'replace without asking for confirmation', false),
  ).action(
    run<SendOptions, [string], SendResult>(
      (ctx, opts, txid) =>
        bumpFee(ctx, { txid, fee: opts.fee, yes: opts.yes, wait: opts.wait, timeoutSeconds: opts.timeout }),
      toJson.sendJson,
    ),
  );

  wallet
    .command('tx <txid>')
    .description('a transaction, pending or confirmed, naming the wallets here on either side')
    .action(
      run<object, [string], Awaited<ReturnType<typeof showTransaction>>>(
        (ctx, _opts, txid) => showTransaction(ctx, txid),
        (info) => info,
      ),
    );
}

/** --wait and --timeout, for the commands that submit a transfer. */
function waitOptions(cmd: Command): Command {
  return cmd
    .option('--wait', 'wait until the transfer is in a block', false)
    .option(
      '--timeout <seconds>',
      'with --wait: give up waiting after this long',
      integerOption(1, 86_400),
      DEFAULT_WAIT_TIMEOUT_SECONDS,
    );
}

interface SendOptions {
  fee?: string;
  yes: boolean;
  wait: boolean;
  timeout: number;
}

/** `send --from-group <group> <to> <amount>`: commander fills <name> <to> [amount], so the operands shift. */
function fromGroup(
  ctx: WalletContext,
  opts: { max: boolean; fee?: string; out?: string; fromGroup?: string; index: number; wait: boolean },
  [to, amount, extra]: [string, string, string | undefined],
): Promise<GroupSendResult> {
  if (extra !== undefined || opts.wait || opts.index !== 0) {
    throw new OurCoinError(
      'WALLET_BAD_ARGUMENTS',
      'send --from-group takes <to> and <amount> (or --max), no wallet name, --index or --wait: the transfer is submitted by `group combine`',
      'input',
    );
  }
  return sendFromGroup(ctx, {
    group: opts.fromGroup!,
    to,
    ...(opts.max ? { max: true } : { amount }),
    fee: opts.fee,
    out: opts.out,
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `wallet group ...`: group accounts (issue 18; groupActions.ts). */
function registerGroupCommands(wallet: Command): void {
  const group = wallet
    .command('group')
    .description('group accounts: t-of-n or n-of-n keys whose transfers carry one ordinary signature');
  group.addHelpText(
    'after',
    `
Examples (2-of-3, dealer mode; see README, "Group accounts"):
  ourcoin wallet group create treasury --threshold 2 --participants 3 --names alice,bob,carol
  ourcoin wallet group address treasury
  ourcoin wallet send --from-group treasury <to> 10 --out pay.json
  ourcoin wallet group sign pay.json --share share-1-alice.keystore.json --yes
  ourcoin wallet group sign pay.json --share share-2-bob.keystore.json --yes
  ourcoin wallet group combine pay.json --wait`,
  );

  group
    .command('create <name>')
    .description(
      'dealer mode: a new key split into --participants shares, any --threshold of which spend (one keystore each); --bdn: n-of-n from the --member keys',
    )
    .option('--threshold <t>', 'partial signatures needed (dealer mode)', integerOption(1, 255))
    .option('--participants <n>', 'shares to make (dealer mode)', integerOption(2, 255))
    .option('--names <a,b,c>', "participants' names, comma-separated (default p1..pn)")
    .option('--bdn', 'n-of-n from existing keys (Boneh-Drijvers-Neven aggregation): give each with --member', false)
    .option('--member <wallet or 0x-key>', 'a bdn member: a wallet here (its account 0) or a public key', collect, [])
    .option('--out-dir <dir>', 'where to write the group (default: <wallet dir>/groups/<name>)')
    .action(
      run<
        { threshold?: number; participants?: number; names?: string; bdn: boolean; member: string[]; outDir?: string },
        [string],
        GroupCreated
      >((ctx, opts, name) => {
        if (opts.bdn) {
          if (opts.threshold !== undefined || opts.participants !== undefined)
            throw new OurCoinError(
              'WALLET_BAD_ARGUMENTS',
              '--bdn groups are n-of-n of their --member keys: no --threshold or --participants',
              'input',
            );
          return createBdnGroup(ctx, { name, members: opts.member, outDir: opts.outDir });
        }
        if (opts.threshold === undefined || opts.participants === undefined || opts.member.length > 0)
          throw new OurCoinError(
            'WALLET_BAD_ARGUMENTS',
            'give --threshold t and --participants n (or --bdn with --member keys)',
            'input',
          );
        return createDealerGroup(ctx, {
          name,
          threshold: opts.threshold,
          participants: opts.participants,
          names: opts.names,
          outDir: opts.outDir,
        });
      }, groupCreatedJson),
    );

  group
    .command('address <group>')
    .description("a group's address (the group: its descriptor file, or its name under <wallet dir>/groups)")
    .action(
      run<object, [string], object>(
        (ctx, _opts, g) => showGroupAddress(ctx, g),
        (descriptor) => descriptor,
      ),
    );

  group
    .command('sign <file>')
    .description("add this participant's partial signature to a partial transfer file")
    .requiredOption(
      '--share <keystore or wallet>',
      "the participant's share keystore file, or a wallet here holding its key",
    )
    .option('--index <i>', 'with a wallet: the account index', accountIndex, 0)
    .option('--yes', 'sign without asking for confirmation', false)
    .action(
      run<{ share: string; index: number; yes: boolean }, [string], GroupSignResult>(
        (ctx, opts, file) => signGroupTransfer(ctx, { file, share: opts.share, index: opts.index, yes: opts.yes }),
        groupSignJson,
      ),
    );

  const dkg = group
    .command('dkg')
    .description(
      "t-of-n without a dealer: Pedersen's DKG, its rounds exchanged as files (init, round1, round2, finish)",
    );
  dkg
    .command('init <name>')
    .description('this participant: a DKG encryption key (in a keystore) and a hello file to send the others')
    .requiredOption('--threshold <t>', 'partial signatures needed', integerOption(1, 255))
    .requiredOption('--participants <n>', 'participants', integerOption(2, 255))
    .requiredOption('--index <i>', "this participant's number, 1..n (agreed beforehand)", integerOption(1, 255))
    .option('--as <name>', "this participant's name in the group (default p<index>)")
    .option('--out <file>', 'the hello file (default ./<name>-dkg-hello-<index>.json)')
    .action(
      run<
        { threshold: number; participants: number; index: number; as?: string; out?: string },
        [string],
        Awaited<ReturnType<typeof dkgInit>>
      >(
        (ctx, opts, name) => dkgInit(ctx, { name, ...opts }),
        (r) => ({ file: r.file, hello: r.hello }),
      ),
    );
  dkg
    .command('round1 <name> <helloFiles...>')
    .description("from everyone's hello files: commitments and encrypted shares (writes ./<name>-dkg-round1-<i>.json)")
    .action(
      run<object, [string, string[]], Awaited<ReturnType<typeof dkgRound1Files>>>(
        (ctx, _opts, name, files) => dkgRound1Files(ctx, name, files),
        (r) => ({ file: r.file, round1: r.message }),
      ),
    );
  dkg
    .command('round2 <name> <round1Files...>')
    .description("from everyone's round-1 files: complaints against bad shares (writes ./<name>-dkg-round2-<i>.json)")
    .action(
      run<object, [string, string[]], Awaited<ReturnType<typeof dkgRound2Files>>>(
        (ctx, _opts, name, files) => dkgRound2Files(ctx, name, files),
        (r) => ({ file: r.file, round2: r.message }),
      ),
    );
  dkg
    .command('finish <name> <roundFiles...>')
    .description("from every round-1 and round-2 file: the group descriptor and this participant's share keystore")
    .action(
      run<object, [string, string[]], Awaited<ReturnType<typeof dkgFinishFiles>>>(
        (ctx, _opts, name, files) => dkgFinishFiles(ctx, name, files),
        (r) => ({ group: descriptorToJson(r.group), share: r.share, disqualified: r.disqualified }),
      ),
    );

  waitOptions(
    group
      .command('combine <file>')
      .description('combine the partial signatures of a partial transfer file and submit the transfer'),
  ).action(
    run<{ wait: boolean; timeout: number }, [string], SendResult>(
      (ctx, opts, file) => combineGroupTransfer(ctx, { file, wait: opts.wait, timeoutSeconds: opts.timeout }),
      toJson.sendJson,
    ),
  );
}
