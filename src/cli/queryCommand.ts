/**
 * `ourcoin status`, `ourcoin block <hash|height>`, `ourcoin tx <txid>`: a running node's
 * API read from the command line, like bitcoin-cli's getblockchaininfo / getblock /
 * getrawtransaction. Text for people, the API's own JSON with --json.
 */
import type { Command } from 'commander';
import type { BlockDetail, StatusJson, TransactionInfo } from '../api/json.js';
import { formatCoins } from '../protocol/amount.js';
import { formatHashRate } from '../protocol/pow.js';
import { addNodeOptions, nodeClientOf } from './nodeOptions.js';
import { emit } from './output.js';

const coins = (baseUnits: string): string => `${formatCoins(BigInt(baseUnits))} OUR`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const when = (seconds: number): string => new Date(seconds * 1000).toISOString();

function statusText(s: StatusJson): string {
  const lines = [
    `network       ${s.network} (chain id 0x${s.chainId.toString(16)})`,
    `height        ${s.height}`,
    `tip           ${s.tipHash}`,
    `difficulty    ${s.difficulty}`,
    `peers         ${s.peers}`,
    `mempool       ${plural(s.mempool, 'transfer')}`,
    `mining        ${s.mining ? `yes, ${formatHashRate(s.hashRate)}` : 'no'}`,
  ];
  if (s.minerAddress) lines.push(`miner address ${s.minerAddress}`);
  return lines.join('\n') + '\n';
}

function blockText(b: BlockDetail): string {
  const lines = [
    `block         ${b.hash}`,
    `height        ${b.height}${b.onMainChain ? '' : ' (not on the main chain)'}`,
    `confirmations ${b.confirmations}`,
    `time          ${when(b.header.timestamp)}`,
    `previous      ${b.header.prevHash}`,
    `size          ${b.size} bytes`,
    `coinbase      ${coins(b.coinbase.amount)} to ${b.coinbase.recipient}`,
    `transfers     ${b.transactions.length}`,
  ];
  for (const t of b.transactions) lines.push(`  ${t.txid}  ${coins(t.amount)} to ${t.recipient}`);
  return lines.join('\n') + '\n';
}

function txText(info: TransactionInfo): string {
  const tx = info.transaction;
  const lines = [`transaction   ${tx.txid}`, `type          ${tx.type}`];
  if (tx.type === 'transfer') lines.push(`from          ${tx.sender}`);
  lines.push(`to            ${tx.recipient}`, `amount        ${coins(tx.amount)}`);
  if (tx.type === 'transfer') lines.push(`fee           ${coins(tx.fee)}`, `nonce         ${tx.nonce}`);
  lines.push(
    info.status === 'pending'
      ? `status        pending (in the mempool)`
      : `status        confirmed in block ${info.blockHash} (height ${info.height}, ${plural(info.confirmations, 'confirmation')})`,
  );
  return lines.join('\n') + '\n';
}

export function registerQueryCommands(program: Command): void {
  addNodeOptions(program.command('status').description("a running node's network, tip, peers, mempool and mining"))
    .addHelpText('after', '\nLike bitcoin-cli getblockchaininfo; --json prints GET /api/v1/status as it is.')
    .action(async (_opts: object, cmd: Command) => emit(cmd, await nodeClientOf(cmd).status(), statusText));
  addNodeOptions(
    program
      .command('block <hashOrHeight>')
      .description('a block by 0x-hash (any stored block) or by height on the main chain'),
  ).action(async (hashOrHeight: string, _opts: object, cmd: Command) =>
    emit(cmd, await nodeClientOf(cmd).block(hashOrHeight), blockText),
  );
  addNodeOptions(
    program.command('tx <txid>').description('a transaction by txid: pending in the mempool, or confirmed in a block'),
  ).action(async (txid: string, _opts: object, cmd: Command) =>
    emit(cmd, await nodeClientOf(cmd).getTransaction(txid), txText),
  );
}
