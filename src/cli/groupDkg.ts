/**
 * `ourcoin wallet group dkg init|round1|round2|finish`: a t-of-n group whose key nobody ever
 * holds (Pedersen's DKG with Feldman commitments, crypto/group/dkg.ts), its rounds exchanged
 * as files, so it works by email or USB stick. Each participant runs, on their own machine:
 *
 *   init    a fresh X25519 key for the DKG's encrypted shares (kept in an EIP-2335 keystore)
 *           and a "hello" file with its public half: send it to everyone
 *   round1  from everyone's hello files: commitments and a share encrypted to each participant
 *   round2  from everyone's round-1 files: a complaint against each sender whose share is bad
 *   finish  from every round-1 and round-2 file: the group descriptor and this participant's
 *           share keystore, the same group key for every honest participant
 *
 * State between rounds lives in <wallet dir>/groups/<name>/dkg.json (public data only).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { blstBls } from '../crypto/blst.js';
import { KeystoreErrorCode, decryptKeystoreWith } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';
import { nodeScrypt } from '../crypto/nodeScrypt.js';
import { OurCoinError, isOurCoinError } from '../errors.js';
import { toHex } from '../protocol/bytes.js';
import { deriveMaster } from '../wallet/derivation.js';
import { WalletErrorCode } from '../wallet/interface.js';
import {
  groupAddress,
  invalid,
  isParticipantName,
  parseDescriptor,
  parseGroupFile,
  serializeDescriptor,
} from '../wallet/group/descriptor.js';
import type { GroupDescriptor } from '../wallet/group/descriptor.js';
import { checkGroupKeys, dkgEncryptionKeyPair, dkgFinish, dkgRound1, dkgRound2 } from '../wallet/group/groupCrypto.js';
import type { DkgParticipant, DkgRound1Message, DkgRound2Message, DkgSetup } from '../wallet/group/groupCrypto.js';
import { askPassword, whileSpinning } from './walletActions.js';
import { groupFolder, readText } from './groupActions.js';
import type { WalletContext } from './walletActions.js';

const STATE_FILE = 'dkg.json';
const KEY_FILE = 'dkg-key.keystore.json';
const HELLO_TYPE = 'ourcoin-dkg-hello';

/** What a participant remembers between rounds: nothing secret (the key is in its keystore). */
interface DkgState {
  type: 'ourcoin-dkg-state';
  version: 1;
  name: string;
  network: string;
  threshold: number;
  participants: number;
  index: number;
  me: string;
  encryptionKey: string;
  /** From round 1 on: everyone's names and encryption keys, in index order. */
  names?: string[];
  encryptionKeys?: string[];
}

interface DkgHello {
  type: typeof HELLO_TYPE;
  version: 1;
  group: string;
  network: string;
  threshold: number;
  participants: number;
  index: number;
  name: string;
  encryptionKey: string;
}

function readJson(file: string): Record<string, unknown> {
  return parseGroupFile(readText(file, 'DKG file'), file);
}

function writeJson(file: string, value: unknown, replace = false): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (!replace && existsSync(file))
    throw new OurCoinError(WalletErrorCode.exists, `${file} already exists (nothing was written)`, 'input');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function loadState(ctx: WalletContext, name: string): { dir: string; state: DkgState } {
  const dir = groupFolder(ctx, name);
  const file = join(dir, STATE_FILE);
  if (!existsSync(file))
    throw new OurCoinError(
      'GROUP_FILE_INVALID',
      `no DKG under way for group "${name}" in ${dir} (start with: ourcoin wallet group dkg init)`,
      'input',
    );
  const state = readJson(file) as unknown as DkgState;
  if (state.type !== 'ourcoin-dkg-state' || state.network !== ctx.network.name)
    throw invalid(file, 'type', `not a DKG state of a ${ctx.network.name} group`);
  return { dir, state };
}

/** The DKG's setup, once round 1 has fixed it. */
function setupOf(state: DkgState, file: string): DkgSetup {
  if (!state.encryptionKeys) throw invalid(file, 'encryptionKeys', 'run `group dkg round1` first');
  return { threshold: state.threshold, encryptionKeys: state.encryptionKeys };
}

/**
 * This participant's X25519 secret, from its keystore (the caller wipes it), and the password
 * that opened it: `finish` seals the share under the same one.
 */
async function unlock(
  ctx: WalletContext,
  dir: string,
  state: DkgState,
): Promise<{ me: DkgParticipant; password: string }> {
  const keystore = readKeystoreFile(join(dir, KEY_FILE));
  const label = `DKG key of ${state.me} in group "${state.name}"`;
  const password = await askPassword(ctx, label);
  try {
    const secret = await whileSpinning(ctx, 'opening the keystore', () =>
      decryptKeystoreWith(nodeScrypt, keystore, password, { bls: blstBls }),
    );
    return { me: { index: state.index, encryptionSecretKey: secret }, password };
  } catch (err) {
    if (isOurCoinError(err, KeystoreErrorCode.wrongPassword))
      throw new OurCoinError(err.code, `wrong password for the ${label}`, 'input', { cause: err });
    throw err;
  }
}

export interface DkgInitRequest {
  readonly name: string;
  readonly threshold: number;
  readonly participants: number;
  readonly index: number;
  /** This participant's name in the group (default p<index>). */
  readonly as?: string;
  /** Where to write the hello file (default ./<group>-dkg-hello-<index>.json). */
  readonly out?: string;
}

/** `dkg init`: the DKG encryption key (sealed in a keystore) and the hello file to send everyone. */
export async function dkgInit(ctx: WalletContext, req: DkgInitRequest): Promise<{ file: string; hello: DkgHello }> {
  const dir = groupFolder(ctx, req.name);
  if (existsSync(join(dir, STATE_FILE)) || existsSync(join(dir, 'group.json')))
    throw new OurCoinError(WalletErrorCode.exists, `group "${req.name}" already exists in ${dir}`, 'input');
  if (req.threshold < 1 || req.threshold > req.participants || req.index < 1 || req.index > req.participants)
    throw new OurCoinError(
      WalletErrorCode.badArguments,
      `--threshold must be 1..${req.participants} and --index 1..${req.participants}`,
      'input',
    );
  const me = req.as ?? `p${req.index}`;
  if (!isParticipantName(me))
    throw new OurCoinError(WalletErrorCode.badName, `--as ${me}: use 1-64 letters, digits, _ . @ or -`, 'input');
  const password = await askPassword(ctx, `DKG key of ${me} in group "${req.name}"`, true);
  // A valid BLS scalar, so the EIP-2335 keystore (made for BLS keys) can hold it; X25519 takes any 32 bytes.
  const secret = deriveMaster(randomBytes(32));
  let encryptionKey: string;
  try {
    encryptionKey = toHex(dkgEncryptionKeyPair(() => secret.slice()).publicKey);
    const keystore = await whileSpinning(ctx, 'encrypting the key', () =>
      ctx.store.encrypt(secret, password, '', `OurCoin group ${req.name}: DKG encryption key of ${me}`),
    );
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeKeystoreFile(join(dir, KEY_FILE), keystore);
  } finally {
    secret.fill(0);
  }
  const state: DkgState = {
    type: 'ourcoin-dkg-state',
    version: 1,
    name: req.name,
    network: ctx.network.name,
    threshold: req.threshold,
    participants: req.participants,
    index: req.index,
    me,
    encryptionKey,
  };
  writeJson(join(dir, STATE_FILE), state);
  const hello: DkgHello = {
    type: HELLO_TYPE,
    version: 1,
    group: req.name,
    network: ctx.network.name,
    threshold: req.threshold,
    participants: req.participants,
    index: req.index,
    name: me,
    encryptionKey,
  };
  const file = resolve(req.out ?? `${req.name}-dkg-hello-${req.index}.json`);
  writeJson(file, hello);
  ctx.io.out(`Wrote ${file}: send it to the other ${req.participants - 1} participants, then run group dkg round1`);
  return { file, hello };
}

/** `dkg round1 <name> <hello files>`: fixes the setup, then commitments and encrypted shares. */
export async function dkgRound1Files(
  ctx: WalletContext,
  name: string,
  helloFiles: readonly string[],
  outDir = '.',
): Promise<{ file: string; message: DkgRound1Message }> {
  const { dir, state } = loadState(ctx, name);
  const stateFile = join(dir, STATE_FILE);
  const hellos = new Map<number, DkgHello>();
  for (const f of helloFiles) {
    const h = readJson(f) as unknown as DkgHello;
    if (h.type !== HELLO_TYPE) throw invalid(f, 'type', 'expected "ourcoin-dkg-hello" (not a DKG hello file)');
    if (h.group !== state.name || h.network !== state.network)
      throw invalid(f, 'group', `is for group "${String(h.group)}" on ${String(h.network)}, not "${state.name}"`);
    if (h.threshold !== state.threshold || h.participants !== state.participants)
      throw invalid(
        f,
        'threshold',
        `${h.threshold}-of-${h.participants}, this group is ${state.threshold}-of-${state.participants}`,
      );
    if (!Number.isInteger(h.index) || h.index < 1 || h.index > state.participants)
      throw invalid(f, 'index', `expected 1..${state.participants}`);
    if (hellos.has(h.index)) throw invalid(f, 'index', `participant ${h.index} has two hello files`);
    hellos.set(h.index, h);
  }
  const missing = Array.from({ length: state.participants }, (_, k) => k + 1).filter((i) => !hellos.has(i));
  if (missing.length > 0)
    throw new OurCoinError(
      WalletErrorCode.badArguments,
      `no hello file of participant(s) ${missing.join(', ')}`,
      'input',
    );
  if (hellos.get(state.index)!.encryptionKey !== state.encryptionKey)
    throw invalid(
      helloFiles.join(', '),
      `participant ${state.index}`,
      "is not this participant's hello (its key differs)",
    );
  const ordered = [...hellos.values()].sort((a, b) => a.index - b.index);
  const next: DkgState = {
    ...state,
    names: ordered.map((h) => h.name),
    encryptionKeys: ordered.map((h) => h.encryptionKey.replace(/^0x/, '')),
  };
  const setup = setupOf(next, stateFile);
  const { me } = await unlock(ctx, dir, state);
  let message: DkgRound1Message;
  try {
    message = dkgRound1(setup, me);
  } finally {
    me.encryptionSecretKey.fill(0);
  }
  writeJson(stateFile, next, true);
  const file = resolve(outDir, `${name}-dkg-round1-${state.index}.json`);
  writeJson(file, message);
  ctx.io.out(`Wrote ${file}: send it to everyone, then run group dkg round2 with all the round-1 files`);
  return { file, message };
}

function messagesOf<T>(files: readonly string[], type: string): T[] {
  return files.map((f) => readJson(f)).filter((m) => m.type === type) as unknown as T[];
}

/** `dkg round2 <name> <round-1 files>`: a complaint against each sender whose share to us is bad. */
export async function dkgRound2Files(
  ctx: WalletContext,
  name: string,
  round1Files: readonly string[],
  outDir = '.',
): Promise<{ file: string; message: DkgRound2Message }> {
  const { dir, state } = loadState(ctx, name);
  const setup = setupOf(state, join(dir, STATE_FILE));
  const { me } = await unlock(ctx, dir, state);
  let message: DkgRound2Message;
  try {
    message = dkgRound2(setup, me, messagesOf<DkgRound1Message>(round1Files, 'ourcoin-dkg-round1'));
  } finally {
    me.encryptionSecretKey.fill(0);
  }
  const file = resolve(outDir, `${name}-dkg-round2-${state.index}.json`);
  writeJson(file, message);
  for (const c of message.complaints)
    ctx.io.note(`complaint: participant ${c.against}'s share to you does not check against its commitments`);
  ctx.io.out(`Wrote ${file}: send it to everyone, then run group dkg finish with every round-1 and round-2 file`);
  return { file, message };
}

/**
 * `dkg finish <name> <round-1 and round-2 files>`: the qualified set, the group key and this
 * participant's share (sealed in its keystore), and the group descriptor, as `group create`
 * writes them.
 */
export async function dkgFinishFiles(
  ctx: WalletContext,
  name: string,
  files: readonly string[],
): Promise<{ group: GroupDescriptor; share: string; disqualified: { index: number; reason: string }[] }> {
  const { dir, state } = loadState(ctx, name);
  const stateFile = join(dir, STATE_FILE);
  const setup = setupOf(state, stateFile);
  const { me, password } = await unlock(ctx, dir, state);
  let result;
  try {
    result = dkgFinish(
      setup,
      me,
      messagesOf<DkgRound1Message>(files, 'ourcoin-dkg-round1'),
      messagesOf<DkgRound2Message>(files, 'ourcoin-dkg-round2'),
    );
  } finally {
    me.encryptionSecretKey.fill(0);
  }
  const group: GroupDescriptor = {
    name: state.name,
    scheme: 'threshold',
    threshold: state.threshold,
    network: ctx.network,
    groupPublicKey: result.groupKey,
    participants: result.publicShares.map((publicKey, k) => ({ index: k + 1, name: state.names![k]!, publicKey })),
    commitments: result.commitments,
  };
  // Read back as any descriptor is (names, keys, address) before anything is written.
  parseDescriptor(serializeDescriptor(group), 'the new descriptor', ctx.network);
  checkGroupKeys(group, 'the new descriptor');
  const share = join(dir, `share-${state.index}-${state.me}.keystore.json`);
  try {
    const keystore = await whileSpinning(ctx, 'encrypting the share', () =>
      ctx.store.encrypt(
        result.share.secretKey,
        password,
        '',
        `OurCoin group ${name}: share ${state.index} of ${state.participants} (${state.me})`,
      ),
    );
    writeKeystoreFile(share, keystore);
  } finally {
    result.share.secretKey.fill(0);
  }
  writeJson(join(dir, 'group.json'), JSON.parse(serializeDescriptor(group)));
  for (const d of result.disqualified) ctx.io.note(`participant ${d.index} was disqualified: ${d.reason}`);
  ctx.io.out(`Group "${name}" (${state.threshold} of ${state.participants}): ${groupAddress(group)}`);
  ctx.io.out(`Your share: ${share}`);
  return { group, share, disqualified: [...result.disqualified] };
}
