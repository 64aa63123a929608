/**
 * `ourcoin wallet group ...` and `send --from-group`: group accounts (issue 18). A group's
 * account is an ordinary address whose transfers carry one ordinary signature; here it is made
 * of files that participants pass around (by email, on a USB stick):
 *
 * - the group descriptor (wallet/group/descriptor.ts), public, kept by everyone;
 * - each participant's share, an EIP-2335 keystore (dealer mode), or their own wallet (bdn);
 * - for each spend, a partially signed transfer (wallet/group/partialTransfer.ts) that
 *   `send --from-group` writes, each `group sign` adds a checked partial to, and `group combine`
 *   turns into one signature and submits through the node's POST /api/v1/transactions.
 *
 * Groups live in <wallet dir>/groups/<name>/ (group.json and, in dealer mode, the shares,
 * which the dealer hands out); a descriptor can be named by that name or by its path.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { blstBls } from '../crypto/blst.js';
import { KeystoreErrorCode, decryptKeystoreWith, keystorePublicKey } from '../crypto/keystore.js';
import type { Keystore } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';
import { nodeScrypt } from '../crypto/nodeScrypt.js';
import { OurCoinError, isOurCoinError } from '../errors.js';
import { formatCoins } from '../protocol/amount.js';
import { bytesEqual, fromHex, toHex } from '../protocol/bytes.js';
import { signingMessage, transferToJson, transferTxid } from '../protocol/transaction.js';
import type { Transfer } from '../protocol/transaction.js';
import { MempoolErrorCode } from '../mempool/interface.js';
import { deriveMaster } from '../wallet/derivation.js';
import { WalletErrorCode } from '../wallet/interface.js';
import {
  descriptorToJson,
  groupAddress,
  parseDescriptor,
  participantWithKey,
  serializeDescriptor,
} from '../wallet/group/descriptor.js';
import type { GroupDescriptor, GroupDescriptorJson, GroupParticipant } from '../wallet/group/descriptor.js';
import { bdnGroupKey, checkGroupKeys, splitKey } from '../wallet/group/groupCrypto.js';
import { GroupWalletErrorCode } from '../wallet/group/interface.js';
import {
  addPartial,
  combinePartialTransfer,
  newPartialTransfer,
  parsePartialTransfer,
  serializePartialTransfer,
  signingProgress,
} from '../wallet/group/partialTransfer.js';
import type { PartialTransfer } from '../wallet/group/partialTransfer.js';
import {
  FEE_NOTE,
  askPassword,
  explainRefusal,
  fundTransfer,
  followIfAsked,
  refuseWithoutTerminal,
  requestedAmount,
  resolveRecipient,
  whileSpinning,
} from './walletActions.js';
import type { SendResult, WalletContext } from './walletActions.js';

const GROUP_FILE = 'group.json';
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function groupsDir(ctx: WalletContext): string {
  return join(ctx.store.dir, 'groups');
}

/** A group file's text (GROUP_FILE_INVALID naming it if unreadable). */
export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new OurCoinError(
      GroupWalletErrorCode.fileInvalid,
      `cannot read ${what} ${file}: ${(err as Error).message}`,
      'input',
    );
  }
}

/** Writes `text` to a new file; an existing one is never replaced (WALLET_EXISTS). */
function writeNew(file: string, text: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new OurCoinError(
        WalletErrorCode.exists,
        `${file} already exists (nothing was written); choose another --out`,
        'input',
      );
    throw err;
  }
}

/** Replaces a partial file with its next version in one rename: a reader never sees half of it. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** A descriptor by path, or by the name of a group in <wallet dir>/groups; its keys checked. */
export function loadGroup(ctx: WalletContext, nameOrPath: string): { group: GroupDescriptor; file: string } {
  const byName = GROUP_NAME.test(nameOrPath) ? join(groupsDir(ctx), nameOrPath, GROUP_FILE) : undefined;
  const file = existsSync(nameOrPath) || !byName || !existsSync(byName) ? resolve(nameOrPath) : byName;
  if (!existsSync(file)) {
    throw new OurCoinError(
      GroupWalletErrorCode.fileInvalid,
      `no group descriptor ${nameOrPath} (neither a file nor a group in ${groupsDir(ctx)})`,
      'input',
    );
  }
  const group = parseDescriptor(readText(file, 'group descriptor'), file, ctx.network);
  checkGroupKeys(group, file);
  return { group, file };
}

// ---------------------------------------------------------------- create

export interface GroupCreated {
  readonly group: GroupDescriptor;
  readonly directory: string;
  readonly descriptor: string;
  /** Dealer mode: participant -> its share's keystore file (hand each to its participant). */
  readonly shares: { index: number; name: string; file: string }[];
}

/** <wallet dir>/groups/<name>, the name checked (WALLET_BAD_NAME). */
export function groupFolder(ctx: WalletContext, name: string): string {
  if (!GROUP_NAME.test(name)) {
    throw new OurCoinError(
      WalletErrorCode.badName,
      `group name "${name}": use 1-64 letters, digits, _ or -, starting with a letter or digit`,
      'input',
    );
  }
  return join(groupsDir(ctx), name);
}

function newGroupDir(ctx: WalletContext, name: string, outDir?: string): string {
  const dir = resolve(outDir ?? groupFolder(ctx, name));
  if (existsSync(join(dir, GROUP_FILE)))
    throw new OurCoinError(WalletErrorCode.exists, `a group already exists in ${dir} (nothing was changed)`, 'input');
  return dir;
}

function participantNames(names: string | undefined, n: number): string[] {
  if (names === undefined) return Array.from({ length: n }, (_, k) => `p${k + 1}`);
  const list = names.split(',').map((s) => s.trim());
  if (list.length !== n) {
    throw new OurCoinError(
      WalletErrorCode.badArguments,
      `--names gives ${list.length} name(s) for ${n} participants`,
      'input',
    );
  }
  return list;
}

export interface DealerGroupRequest {
  readonly name: string;
  readonly threshold: number;
  readonly participants: number;
  /** Comma-separated participant names (default p1..pn). */
  readonly names?: string;
  readonly outDir?: string;
}

/**
 * `group create <name> --threshold t --participants n`: dealer mode. A fresh key is split into
 * n shares (any t sign), each sealed in its own EIP-2335 keystore with the password given
 * (each participant should change it: import it as a wallet with a password of their own); the
 * whole key exists only in this process, for the split, and is wiped right after.
 */
export async function createDealerGroup(ctx: WalletContext, req: DealerGroupRequest): Promise<GroupCreated> {
  const dir = newGroupDir(ctx, req.name, req.outDir);
  const names = participantNames(req.names, req.participants);
  const password = await askPassword(ctx, `Shares of group "${req.name}"`, true);
  const secret = deriveMaster(randomBytes(32));
  let split;
  try {
    split = splitKey(secret, req.threshold, req.participants);
  } finally {
    secret.fill(0);
  }
  const participants: GroupParticipant[] = split.publicShares.map((publicKey, k) => ({
    index: k + 1,
    name: names[k]!,
    publicKey,
  }));
  const group: GroupDescriptor = {
    name: req.name,
    scheme: 'threshold',
    threshold: req.threshold,
    network: ctx.network,
    groupPublicKey: split.groupKey,
    participants,
    commitments: split.commitments,
  };
  // Parsed back before anything is written: the file must read as what was meant.
  parseDescriptor(serializeDescriptor(group), 'the new descriptor', ctx.network);
  const shares: GroupCreated['shares'] = [];
  try {
    const keystores = await whileSpinning(ctx, 'encrypting the shares', () =>
      Promise.all(
        split.shares.map((share) =>
          ctx.store.encrypt(
            share.secretKey,
            password,
            '',
            `OurCoin group ${req.name}: share ${share.index} of ${req.participants} (${names[share.index - 1]})`,
          ),
        ),
      ),
    );
    keystores.forEach((keystore, k) => {
      const file = join(dir, `share-${k + 1}-${names[k]}.keystore.json`);
      writeKeystoreFile(file, keystore);
      shares.push({ index: k + 1, name: names[k]!, file });
    });
  } finally {
    for (const share of split.shares) share.secretKey.fill(0);
  }
  const descriptor = join(dir, GROUP_FILE);
  writeNew(descriptor, serializeDescriptor(group));
  ctx.io.out(`Created ${req.threshold}-of-${req.participants} group "${req.name}" in ${dir}`);
  ctx.io.out(`Address: ${groupAddress(group)}`);
  for (const s of shares) ctx.io.out(`  share ${s.index} (${s.name}): ${s.file}`);
  ctx.io.note('Hand each share to its participant (with the descriptor); keep no copy of the others.');
  return { group, directory: dir, descriptor, shares };
}

export interface BdnGroupRequest {
  readonly name: string;
  /** Each a wallet's name (its account 0) or a 0x public key. */
  readonly members: readonly string[];
  readonly outDir?: string;
}

/**
 * `group create <name> --bdn --member a --member b ...`: n-of-n from keys the members already
 * have. The group key is their BDN aggregate (rogue-key safe without proofs of possession), so
 * no secret is made or written: only the descriptor.
 */
export function createBdnGroup(ctx: WalletContext, req: BdnGroupRequest): GroupCreated {
  const dir = newGroupDir(ctx, req.name, req.outDir);
  if (req.members.length < 2)
    throw new OurCoinError(WalletErrorCode.badArguments, 'a bdn group needs at least two --member', 'input');
  const participants: GroupParticipant[] = req.members.map((member, k) => {
    const text = member.trim();
    if (text.startsWith('0x'))
      return { index: k + 1, name: `member${k + 1}`, publicKey: fromHex(text, `--member ${text}`, 48) };
    const wallet = ctx.store.get(text);
    const acct = wallet.accounts.find((a) => a.index === 0);
    if (!acct) throw new OurCoinError('WALLET_NO_ACCOUNT', `wallet "${text}" has no account 0`, 'input');
    return { index: k + 1, name: text, publicKey: acct.publicKey };
  });
  const keys = participants.map((p) => p.publicKey);
  const group: GroupDescriptor = {
    name: req.name,
    scheme: 'bdn',
    threshold: participants.length,
    network: ctx.network,
    groupPublicKey: bdnGroupKey(keys),
    participants,
  };
  parseDescriptor(serializeDescriptor(group), 'the new descriptor', ctx.network);
  const descriptor = join(dir, GROUP_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeNew(descriptor, serializeDescriptor(group));
  ctx.io.out(`Created ${participants.length}-of-${participants.length} (bdn) group "${req.name}" in ${dir}`);
  ctx.io.out(`Address: ${groupAddress(group)}`);
  return { group, directory: dir, descriptor, shares: [] };
}

export function groupCreatedJson(result: GroupCreated): object {
  return {
    group: descriptorToJson(result.group),
    directory: result.directory,
    descriptor: result.descriptor,
    shares: result.shares,
  };
}

// ---------------------------------------------------------------- address

export function showGroupAddress(ctx: WalletContext, nameOrPath: string): GroupDescriptorJson {
  const { group } = loadGroup(ctx, nameOrPath);
  ctx.io.out(groupAddress(group));
  return descriptorToJson(group);
}

// ---------------------------------------------------------------- spend

export interface GroupSendRequest {
  /** The group: a descriptor's path or a group's name. */
  readonly group: string;
  readonly to: string;
  readonly amount?: string;
  readonly max?: boolean;
  readonly fee?: string;
  /** Where to write the partial file (default: ./<group>-<nonce>.partial.json). */
  readonly out?: string;
}

export interface GroupSendResult {
  readonly file: string;
  readonly pt: PartialTransfer;
  readonly from: string;
  readonly to: string;
  readonly feeSource: string;
}

/**
 * `send --from-group <group> <to> <amount>`: the transfer as `send` builds it (nonce and fee
 * from the node, the balance checked), written unsigned to a partial file for the participants
 * to sign. Nothing is submitted and no key is needed.
 */
export async function sendFromGroup(ctx: WalletContext, req: GroupSendRequest): Promise<GroupSendResult> {
  const { group } = loadGroup(ctx, req.group);
  const recipient = resolveRecipient(ctx, req.to);
  requestedAmount(req);
  const client = await ctx.node();
  const from = groupAddress(group);
  const { amount, fee, source, nonce } = await fundTransfer(ctx, client, from, `group "${group.name}"`, req);
  const tx: Transfer = {
    chainId: ctx.network.chainId,
    senderPublicKey: group.groupPublicKey,
    recipient: recipient.hash,
    amount,
    fee,
    nonce,
  };
  const pt = newPartialTransfer(group, tx);
  const file = resolve(req.out ?? `${group.name}-${tx.nonce}.partial.json`);
  writeNew(file, serializePartialTransfer(pt));
  ctx.io.out(
    [
      `Transfer from group "${group.name}" (${group.threshold} of ${group.participants.length} must sign)`,
      ...summary(pt, recipient.wallet),
      `  fee      ${formatCoins(fee)} OUR${FEE_NOTE[source]}`,
      `Wrote ${file}: each signer runs \`ourcoin wallet group sign ${file} --share <their share>\`, then \`group combine\` submits it`,
    ].join('\n'),
  );
  return { file, pt, from, to: recipient.address, feeSource: source };
}

function summary(pt: PartialTransfer, walletName?: string): string[] {
  const json = transferToJson(pt.tx, pt.group.network);
  return [
    `  txid     ${json.txid}`,
    `  from     ${json.sender}  (group ${pt.group.name})`,
    `  to       ${json.recipient}${walletName ? `  (wallet ${walletName})` : ''}`,
    `  amount   ${formatCoins(pt.tx.amount)} OUR`,
    `  nonce    ${pt.tx.nonce}`,
  ];
}

function progressJson(pt: PartialTransfer): object {
  const { signed, missing } = signingProgress(pt);
  return {
    txid: toHex(transferTxid(pt.tx)),
    group: pt.group.name,
    threshold: pt.group.threshold,
    signed: signed.map((p) => ({ index: p.index, name: p.name })),
    missing,
  };
}

export function groupSendJson(result: GroupSendResult): object {
  const tx = transferToJson(result.pt.tx, result.pt.group.network);
  return {
    file: result.file,
    ...progressJson(result.pt),
    from: result.from,
    to: result.to,
    amount: tx.amount,
    amountOur: formatCoins(result.pt.tx.amount),
    fee: tx.fee,
    feeOur: formatCoins(result.pt.tx.fee),
    feeSource: result.feeSource,
    nonce: tx.nonce,
  };
}

function readPartialFile(ctx: WalletContext, file: string): PartialTransfer {
  return parsePartialTransfer(readText(file, 'partial transfer'), file, ctx.network);
}

// ---------------------------------------------------------------- sign

export interface GroupSignRequest {
  readonly file: string;
  /** A share's keystore file, or a wallet's name (its account `index`). */
  readonly share: string;
  readonly index: number;
  readonly yes: boolean;
}

export interface GroupSignResult {
  readonly file: string;
  readonly pt: PartialTransfer;
  readonly participant: GroupParticipant;
}

/** The keystore `--share` names: a keystore file, or a wallet here. */
function shareKeystore(ctx: WalletContext, share: string, index: number): { keystore: Keystore; label: string } {
  if (existsSync(share) || share.endsWith('.json'))
    return { keystore: readKeystoreFile(share), label: `Share ${share}` };
  return { keystore: ctx.store.exportKeystore(share, index), label: `Wallet "${share}"` };
}

/**
 * `group sign <file> --share <keystore or wallet>`: shows the transfer, asks (unless --yes),
 * unlocks the share, signs the transfer's signing message and adds the partial, checked
 * against the participant's key, to the file. The key must be one of the group's
 * participants' (GROUP_NOT_PARTICIPANT otherwise: a share of another group).
 */
export async function signGroupTransfer(ctx: WalletContext, req: GroupSignRequest): Promise<GroupSignResult> {
  const file = resolve(req.file);
  let pt = readPartialFile(ctx, file);
  const { keystore, label } = shareKeystore(ctx, req.share, req.index);
  const publicKey = keystorePublicKey(keystore);
  const participant = participantWithKey(pt.group, publicKey);
  if (!participant) {
    throw new OurCoinError(
      GroupWalletErrorCode.notParticipant,
      `${label.toLowerCase()} holds key ${toHex(publicKey)}, which is no participant's in group "${pt.group.name}" (a share of another group?)`,
      'input',
    );
  }
  refuseWithoutTerminal(ctx, req.yes);
  const lines = [
    `Sign as participant ${participant.index} (${participant.name}) of group "${pt.group.name}"`,
    ...summary(pt),
    `  fee      ${formatCoins(pt.tx.fee)} OUR`,
  ];
  if (req.yes) ctx.io.out(lines.join('\n'));
  else {
    ctx.io.note(lines.join('\n'));
    const answer = await ctx.io.ask('Sign it? [y/N] ');
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new OurCoinError('WALLET_CANCELLED', 'not signed: not confirmed', 'input');
  }
  const password = await askPassword(ctx, label);
  let secret: Uint8Array;
  try {
    secret = await whileSpinning(ctx, 'opening the keystore', () =>
      decryptKeystoreWith(nodeScrypt, keystore, password, { bls: blstBls }),
    );
  } catch (err) {
    if (isOurCoinError(err, KeystoreErrorCode.wrongPassword))
      throw new OurCoinError(err.code, `wrong password for ${label.toLowerCase()} (nothing was signed)`, 'input', {
        cause: err,
      });
    throw err;
  }
  let signature: Uint8Array;
  try {
    if (!bytesEqual(blstBls.secretKeyToPublicKey(secret), publicKey))
      throw new OurCoinError(
        'WALLET_CORRUPT',
        `${label.toLowerCase()}: the keystore's secret does not match its public key`,
        'input',
      );
    signature = blstBls.sign(secret, signingMessage(pt.tx));
  } finally {
    secret.fill(0);
  }
  pt = addPartial(pt, participant.index, signature);
  replaceFile(file, serializePartialTransfer(pt));
  const { signed, missing } = signingProgress(pt);
  ctx.io.out(
    `Signed as ${participant.name}: ${signed.length} of the ${pt.group.threshold} partials needed (${signed.map((p) => p.name).join(', ')})${missing > 0 ? `; ${missing} more needed` : `; ready: ourcoin wallet group combine ${file}`}`,
  );
  return { file, pt, participant };
}

export function groupSignJson(result: GroupSignResult): object {
  return {
    file: result.file,
    participant: { index: result.participant.index, name: result.participant.name },
    ...progressJson(result.pt),
  };
}

// ---------------------------------------------------------------- combine

export interface GroupCombineRequest {
  readonly file: string;
  readonly wait: boolean;
  readonly timeoutSeconds?: number;
}

/**
 * `group combine <file>`: every partial checked again (the file may have travelled), t of them
 * combined into the transfer's one ordinary signature, verified under the group key, and the
 * transfer submitted like any other.
 */
export async function combineGroupTransfer(ctx: WalletContext, req: GroupCombineRequest): Promise<SendResult> {
  const file = resolve(req.file);
  const pt = readPartialFile(ctx, file);
  const signature = combinePartialTransfer(pt);
  // The node will check it anyway; checking here names the cause before anything is sent.
  if (!blstBls.verify(pt.group.groupPublicKey, signingMessage(pt.tx), signature))
    throw new OurCoinError('GROUP_INCONSISTENT_GROUP', `the partials of ${file} combine to a bad signature`, 'crypto');
  const client = await ctx.node();
  const json = transferToJson(pt.tx, ctx.network, signature);
  let txid = json.txid;
  try {
    txid = (await client.submit(json)).txid;
  } catch (err) {
    if (!isOurCoinError(err, MempoolErrorCode.duplicate))
      throw isOurCoinError(err) ? explainRefusal(err, json.sender) : err;
  }
  ctx.io.out(`Sent ${formatCoins(pt.tx.amount)} OUR from group "${pt.group.name}" to ${json.recipient}\ntxid ${txid}`);
  return followIfAsked(ctx, client, req, {
    txid,
    from: json.sender,
    to: json.recipient,
    amount: pt.tx.amount,
    fee: pt.tx.fee,
    feeSource: 'given',
    nonce: pt.tx.nonce,
  });
}
