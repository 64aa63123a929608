/**
 * `ourcoin wallet` with no subcommand: the interactive menu of SimpleCoin's wallet.py
 * (1 new wallet, 2 send coins, 3 check transactions, 4 quit). It only asks for what the
 * subcommands take as arguments, then calls the same functions (walletActions.ts). An error
 * is shown and the menu goes on; end of input (Ctrl-D) quits.
 */
import { parseCoins } from '../protocol/amount.js';
import { OurCoinError, isOurCoinError } from '../errors.js';
import {
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  newWallet,
  reportConfirmed,
  resolveRecipient,
  sendCoins,
  showBalance,
  showHistory,
  waitForConfirmation,
} from './walletActions.js';
import type { WalletContext } from './walletActions.js';

const MENU = [
  '',
  'What do you want to do?',
  '  1  new wallet',
  '  2  send coins',
  '  3  check transactions',
  '  4  quit',
].join('\n');

/** Asks for a wallet name, offering the only wallet (if there is one) as the default. */
async function askWallet(ctx: WalletContext, question: string): Promise<string | undefined> {
  const names = ctx.store.list().map((w) => w.name);
  if (names.length === 0) {
    ctx.io.out('There are no wallets yet: choose 1 to create one.');
    return undefined;
  }
  const only = names.length === 1 ? names[0] : undefined;
  const answer = (await ctx.io.ask(`${question} (${names.join(', ')})${only ? ` [${only}]` : ''}: `)).trim();
  return answer || only;
}

async function menuNewWallet(ctx: WalletContext): Promise<void> {
  const name = (await ctx.io.ask('Name of the new wallet: ')).trim();
  if (name) await newWallet(ctx, name);
}

async function menuSend(ctx: WalletContext): Promise<void> {
  const name = await askWallet(ctx, 'Send from which wallet?');
  if (!name) return;
  ctx.store.get(name); // an unknown name fails now, not after three more questions
  // Each answer is checked as soon as it is given; sendCoins checks them again, with the rest.
  const to = (await ctx.io.ask('To (an address or a wallet): ')).trim();
  resolveRecipient(ctx, to);
  const amount = (await ctx.io.ask('Amount (OUR): ')).trim();
  parseCoins(amount, 'amount');
  const fee = (await ctx.io.ask("Fee (OUR) [the node's estimate]: ")).trim();
  const { txid } = await sendCoins(ctx, { name, to, amount, fee: fee || undefined, index: 0, yes: false, wait: false });
  if (/^y(es)?$/i.test((await ctx.io.ask('Wait until it is in a block? [y/N] ')).trim())) {
    reportConfirmed(ctx, await waitForConfirmation(ctx, await ctx.node(), txid, DEFAULT_WAIT_TIMEOUT_SECONDS * 1000));
  }
}

async function menuCheck(ctx: WalletContext): Promise<void> {
  const target = await askWallet(ctx, 'Which wallet (or an address)?');
  if (!target) return;
  await showBalance(ctx, target, 0);
  await showHistory(ctx, target, 0, 10);
}

export async function runWalletMenu(ctx: WalletContext): Promise<void> {
  const { io } = ctx;
  io.out(`OurCoin wallet: ${ctx.network.name}, node ${ctx.nodeUrl}, wallets in ${ctx.store.dir}`);
  for (;;) {
    io.out(MENU);
    try {
      const choice = (await io.ask('Choose 1-4: ')).trim().toLowerCase();
      if (choice === '1') await menuNewWallet(ctx);
      else if (choice === '2') await menuSend(ctx);
      else if (choice === '3') await menuCheck(ctx);
      else if (choice === '4' || choice === 'q' || choice === 'quit') break;
      else if (choice) io.out(`"${choice}" is not on the menu: choose 1, 2, 3 or 4.`);
    } catch (err) {
      if (isOurCoinError(err, 'WALLET_INPUT_CLOSED')) break;
      if (!(err instanceof OurCoinError)) throw err;
      io.note(`error: ${err.message} (${err.code})`);
    }
  }
  io.out('Bye.');
}
