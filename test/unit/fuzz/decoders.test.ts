/**
 * Property-based fuzzing (fast-check) of every decoder of untrusted input: the binary
 * encodings (blocks, headers, transfers, the peer-to-peer messages, undo data), the text
 * forms (hex, addresses, amounts), EIP-2335 keystores, the two BLS backends, and whole
 * mutated blocks fed to `Chain.processBlock`.
 *
 * For each decoder, with random input, valid input and mutated valid input:
 * - it returns or throws an `OurCoinError` with a stable code, never a raw exception;
 * - whatever it accepts is canonical: encoding the result gives back the input, so no two
 *   encodings decode to the same value (malleability).
 * Runs scale with `npm run test:long` (test/helpers/long.ts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { BlsErrorCode } from '../../../src/crypto/interface.js';
import type { Bls } from '../../../src/crypto/interface.js';
import { nobleBls } from '../../../src/crypto/noble.js';
import * as messages from '../../../src/network/messages.js';
import { AddressErrorCode, addressHashOf, decodeAddress, encodeAddress } from '../../../src/protocol/address.js';
import {
  AmountErrorCode,
  MAX_MONEY,
  formatCoins,
  isMoneyRange,
  parseBaseUnits,
  parseCoins,
} from '../../../src/protocol/amount.js';
import { blockHash, decodeBlock, decodeHeader, encodeBlock, encodeHeader } from '../../../src/protocol/block.js';
import type { Block, BlockHeader } from '../../../src/protocol/block.js';
import { EncodingErrorCode, bytesEqual, fromHex, toHex } from '../../../src/protocol/bytes.js';
import { assembleBlock } from '../../../src/protocol/assemble.js';
import { OurCoinError } from '../../../src/errors.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { blockSubsidy } from '../../../src/protocol/rules/subsidy.js';
import { aggregateSignature } from '../../../src/protocol/signing.js';
import { solveBlock } from '../../../src/miner/solve.js';
import {
  MAX_NONCE,
  decodeSignedTransfer,
  signingMessage,
  decodeTransfer,
  encodeSignedTransfer,
  encodeTransfer,
} from '../../../src/protocol/transaction.js';
import type { Coinbase, SignedTransfer, Transfer } from '../../../src/protocol/transaction.js';
import { decodeUndo, encodeUndo } from '../../../src/store/undo.js';
import type { UndoEntry } from '../../../src/store/undo.js';
import {
  KeystoreErrorCode,
  decryptKeystore,
  encryptKeystore,
  keystorePublicKey,
  parseKeystore,
} from '../../../src/crypto/keystore.js';
import type { Keystore } from '../../../src/crypto/keystore.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import type { TestKey } from '../../helpers/builder.js';
import { openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';
import {
  STABLE_CODES,
  applyByteMutation,
  byteMutation,
  decodeOrReject,
  mutatedBytes,
  mutatedJson,
  nastyString,
} from '../../helpers/fuzz.js';
import type { Json } from '../../helpers/fuzz.js';
import { scaled } from '../../helpers/long.js';
import { replay } from '../../helpers/replay.js';

const RUNS = scaled(200, 5000);
const ENCODING_CODES = Object.values(EncodingErrorCode);

// ---------------------------------------------------------------- value arbitraries

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const bytesN = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const hash = bytesN(32);

const headerArb: fc.Arbitrary<BlockHeader> = fc.record({
  version: u32,
  height: u32,
  prevHash: hash,
  txRoot: hash,
  signatureHash: hash,
  timestamp: u32,
  bits: u32,
  nonce: u64,
});
const coinbaseArb: fc.Arbitrary<Coinbase> = fc.record({
  chainId: u32,
  height: u32,
  recipient: bytesN(20),
  amount: u64,
});
const transferArb: fc.Arbitrary<Transfer> = fc.record({
  chainId: u32,
  senderPublicKey: bytesN(48),
  recipient: bytesN(20),
  amount: u64,
  fee: u64,
  nonce: fc.integer({ min: 0, max: MAX_NONCE }),
});
const signedArb: fc.Arbitrary<SignedTransfer> = fc.record({ tx: transferArb, signature: bytesN(96) });

// Real, signed objects from the builder, mixed in with the synthetic ones.
const keys = [1, 2, 3].map(testKey);
const realTransfers = keys.map((k, i) => transfer(k, keys[(i + 1) % keys.length]!.address, 1000n * BigInt(i + 1), i));
const realBlock = buildBlock(genesisBlock(regtest), { txs: realTransfers });

const blockArb: fc.Arbitrary<Block> = fc.oneof(
  fc.record({
    header: headerArb,
    coinbase: coinbaseArb,
    transactions: fc.array(transferArb, { maxLength: 4 }),
    aggregateSignature: bytesN(96),
  }),
  fc.constant(realBlock),
);
const signedTransferArb = fc.oneof(signedArb, fc.constantFrom(...realTransfers));

// ---------------------------------------------------------------- binary codecs

interface BinaryCase {
  readonly name: string;
  readonly valid: fc.Arbitrary<Uint8Array>;
  /** decode(encode(v)) equals v for a valid value; throws otherwise. */
  roundTripValue(v: Uint8Array): void;
  /** Decodes `bytes`: a typed rejection, or a value that re-encodes to exactly `bytes`. */
  check(bytes: Uint8Array): void;
}

function binary<T>(
  name: string,
  decode: (b: Uint8Array) => T,
  encode: (v: T) => Uint8Array,
  value: fc.Arbitrary<T>,
): BinaryCase {
  return {
    name,
    valid: value.map(encode),
    roundTripValue(bytes) {
      expect(toHex(encode(decode(bytes)))).toBe(toHex(bytes));
    },
    check(bytes) {
      const decoded = decodeOrReject(() => decode(bytes), ENCODING_CODES);
      if (decoded !== undefined) expect(toHex(encode(decoded))).toBe(toHex(bytes));
    },
  };
}

const undoArb: fc.Arbitrary<UndoEntry[]> = fc.array(
  fc.record({
    address: bytesN(20),
    before: fc.record({ balance: u64, nonce: fc.integer({ min: 0, max: MAX_NONCE }) }),
  }),
  { maxLength: 5 },
);

const BINARY: readonly BinaryCase[] = [
  binary('header', decodeHeader, encodeHeader, headerArb),
  binary('block', decodeBlock, encodeBlock, blockArb),
  binary(
    'transfer',
    decodeTransfer,
    encodeTransfer,
    fc.oneof(transferArb, fc.constantFrom(...realTransfers.map((s) => s.tx))),
  ),
  binary('signed transfer', decodeSignedTransfer, encodeSignedTransfer, signedTransferArb),
  binary(
    'status',
    messages.decodeStatus,
    messages.encodeStatus,
    fc.record({
      version: u32,
      networkName: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
      chainId: u32,
      genesisHash: hash,
      tipHash: hash,
      height: u32,
      cumulativeWork: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    }),
  ),
  binary(
    'headers request',
    messages.decodeHeadersRequest,
    (v) => messages.encodeHeadersRequest(v.locator, v.maxHeaders),
    fc.record({
      locator: fc.array(hash, { minLength: 1, maxLength: 64 }),
      maxHeaders: fc.integer({ min: 1, max: 2000 }),
    }),
  ),
  binary('headers', messages.decodeHeaders, messages.encodeHeaders, fc.array(headerArb, { maxLength: 5 })),
  binary(
    'blocks request',
    messages.decodeBlocksRequest,
    messages.encodeBlocksRequest,
    fc.array(hash, { minLength: 1, maxLength: 128 }),
  ),
  binary(
    'transactions request',
    messages.decodeTxsRequest,
    messages.encodeTxsRequest,
    fc.array(hash, { minLength: 1, maxLength: 20 }),
  ),
  binary(
    'signed transfers',
    messages.decodeSignedTransfers,
    messages.encodeSignedTransfers,
    fc.array(signedTransferArb, { maxLength: 4 }),
  ),
  binary(
    'compact block',
    messages.decodeCompactBlock,
    messages.encodeCompactBlock,
    fc.record({
      header: headerArb,
      coinbase: coinbaseArb,
      txids: fc.array(hash, { maxLength: 8 }),
      aggregateSignature: bytesN(96),
    }),
  ),
  binary('undo', decodeUndo, encodeUndo, undoArb),
];

describe.each(BINARY)('fuzz: $name decoder', (c) => {
  it('decodes every valid encoding back to itself', () => {
    fc.assert(
      fc.property(c.valid, (bytes) => c.roundTripValue(bytes)),
      { numRuns: RUNS },
    );
  });

  it('random bytes: a typed rejection or a canonical value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => c.check(bytes)),
      { numRuns: RUNS },
    );
  });

  it('mutated valid encodings (bit flips, truncation, extension, splices, edge counts): a typed rejection or a canonical value', () => {
    fc.assert(
      fc.property(mutatedBytes(c.valid), (bytes) => c.check(bytes)),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz regressions: binary decoders', () => {
  it('undo data with a nonce above 2^53-1 is refused, not rounded (it would not re-encode to the same bytes)', () => {
    const bytes = encodeUndo([{ address: new Uint8Array(20), before: { balance: 0n, nonce: 0 } }]);
    // The nonce is the last 8 bytes: 2^53 + 1, which a JS number cannot hold.
    new DataView(bytes.buffer).setBigUint64(bytes.length - 8, 2n ** 53n + 1n);
    expect(() => decodeUndo(bytes)).toThrow(expect.objectContaining({ code: EncodingErrorCode.outOfRange }));
  });
});

// ---------------------------------------------------------------- text forms

describe('fuzz: fromHex', () => {
  const hexish = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map(toHex),
    fc.uint8Array({ maxLength: 64 }).map((b) => toHex(b).toUpperCase().replace('0X', '0x')),
    fc
      .tuple(fc.uint8Array({ maxLength: 64 }), byteMutation)
      .map(([b, m]) => new TextDecoder().decode(applyByteMutation(new TextEncoder().encode(toHex(b)), m))),
    nastyString,
    fc.anything(),
  );

  it('returns bytes or ENCODING_BAD_HEX / ENCODING_BAD_LENGTH; accepted hex is the input, up to letter case', () => {
    fc.assert(
      fc.property(hexish, fc.option(fc.nat({ max: 64 }), { nil: undefined }), (value, length) => {
        const bytes = decodeOrReject(
          () => fromHex(value, 'field', length),
          [EncodingErrorCode.badHex, EncodingErrorCode.badLength],
        );
        if (bytes === undefined) return;
        if (length !== undefined) expect(bytes.length).toBe(length);
        // Either case is accepted on input (bytes are the same either way, and no hash is taken
        // over the text); output is always lowercase.
        expect(toHex(bytes)).toBe((value as string).toLowerCase());
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: decodeAddress', () => {
  const bech32Chars = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const valid = fc.tuple(bytesN(20), fc.constantFrom(regtest, devnet)).map(([h, n]) => encodeAddress(h, n));
  const edited = fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom(...bech32Chars),
      fc.constantFrom('substitute', 'insert', 'delete', 'upper', 'swap'),
    )
    .map(([a, at, ch, op]) => {
      const i = at % a.length;
      switch (op) {
        case 'substitute':
          return a.slice(0, i) + ch + a.slice(i + 1);
        case 'insert':
          return a.slice(0, i) + ch + a.slice(i);
        case 'delete':
          return a.slice(0, i) + a.slice(i + 1);
        case 'upper':
          return a.slice(0, i) + a.slice(i).toUpperCase();
        case 'swap':
          return a.slice(0, i) + a.slice(i + 1, i + 2) + a.slice(i, i + 1) + a.slice(i + 2);
      }
    });
  const input = fc.oneof(
    valid,
    valid.map((a) => a.toUpperCase()),
    edited,
    nastyString,
    fc.anything(),
  );

  it('returns a 20-byte hash or an ADDRESS_* error; an accepted address is the canonical one, up to BIP 350 all-uppercase', () => {
    fc.assert(
      fc.property(input, (value) => {
        const h = decodeOrReject(() => decodeAddress(value, regtest), Object.values(AddressErrorCode));
        if (h === undefined) return;
        expect(h.length).toBe(20);
        const s = value as string;
        expect([s, s.toLowerCase()]).toContain(encodeAddress(h, regtest));
        expect([s.toLowerCase(), s.toUpperCase()]).toContain(s);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: amounts', () => {
  const money = fc.bigInt({ min: 0n, max: MAX_MONEY });
  const decimalish = fc.oneof(
    money.map(String),
    fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
    fc.tuple(fc.constantFrom('0', '00', '-', '+', ' ', '', '.', '1.', '0x'), money).map(([p, n]) => p + String(n)),
    fc.tuple(money, fc.constantFrom('.0', '.', ' ', 'e3', 'n', '\n')).map(([n, s]) => String(n) + s),
    nastyString,
  );

  it('parseBaseUnits: the canonical decimal string of an amount in range, or AMOUNT_*', () => {
    fc.assert(
      fc.property(fc.oneof(decimalish, fc.anything()), (value) => {
        const n = decodeOrReject(() => parseBaseUnits(value, 'amount'), Object.values(AmountErrorCode));
        if (n === undefined) return;
        expect(isMoneyRange(n)).toBe(true);
        expect(n.toString()).toBe(value);
      }),
      { numRuns: RUNS },
    );
  });

  // parseCoins reads what a user types ("1.50", " 2 "), so several spellings of one amount
  // are fine; what must hold is that the formatted form reads back as the same amount.
  it('parseCoins: an amount in range or AMOUNT_*; formatCoins output always reads back exactly', () => {
    const coins = fc.oneof(
      decimalish,
      money.map(formatCoins),
      fc.tuple(fc.stringMatching(/^[0-9]{0,12}$/), fc.stringMatching(/^[0-9]{0,12}$/)).map(([a, b]) => `${a}.${b}`),
    );
    fc.assert(
      fc.property(coins, (value) => {
        const n = decodeOrReject(() => parseCoins(value), Object.values(AmountErrorCode));
        if (n === undefined) return;
        expect(isMoneyRange(n)).toBe(true);
        expect(parseCoins(formatCoins(n))).toBe(n);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- keystores

describe('fuzz: keystores', () => {
  const secret = keys[0]!.secretKey;
  let counter = 0;
  // Deterministic "randomness", so a failure replays with the same keystores.
  const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (counter = (counter * 31 + 7) & 0xff));
  const password = 'correct horse';
  const valid: Json[] = [
    encryptKeystore(secret, password, {
      kdf: 'pbkdf2',
      pbkdf2C: 2,
      publicKey: keys[0]!.publicKey,
      random,
      path: 'm/12381/3600/0/0/0',
      description: 'fuzz',
    }),
    encryptKeystore(secret, password, { kdf: 'scrypt', scryptN: 2, publicKey: keys[0]!.publicKey, random }),
  ] as unknown as Json[];
  const KEYSTORE_CODES = Object.values(KeystoreErrorCode);

  /** Decrypting is only tried when the (mutated) KDF parameters are cheap. */
  function cheap(k: Keystore): boolean {
    const kdf = k.crypto.kdf;
    return kdf.function === 'pbkdf2'
      ? kdf.params.c <= 64
      : kdf.params.n * kdf.params.r * kdf.params.p <= 4096 && kdf.params.r <= 64;
  }

  it('random JSON values: KEYSTORE_* errors only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => {
        expect(decodeOrReject(() => parseKeystore(value), KEYSTORE_CODES)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid keystores: parsing is a typed rejection or idempotent; decryption yields the original secret or a typed error', () => {
    fc.assert(
      fc.property(mutatedJson(fc.constantFrom(...valid)), (value) => {
        const parsed = decodeOrReject(() => parseKeystore(value), KEYSTORE_CODES);
        if (parsed === undefined) return;
        // Parsing normalizes (lowercase hex, known fields only), and its output is a fixed point.
        expect(parseKeystore(parsed)).toEqual(parsed);
        expect(toHex(keystorePublicKey(value))).toBe('0x' + parsed.pubkey);
        if (!cheap(parsed)) return;
        const out = decodeOrReject(() => decryptKeystore(value, password, { bls: blstBls }), KEYSTORE_CODES);
        if (out !== undefined) expect(toHex(out)).toBe(toHex(secret));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- BLS backends

describe.each([
  { bls: blstBls, runs: RUNS },
  // Pure JS: each point check and pairing costs milliseconds, so fewer runs.
  { bls: nobleBls, runs: scaled(20, 400) },
])('fuzz: BLS backend $bls.name', ({ bls, runs }: { bls: Bls; runs: number }) => {
  const key = keys[0]!;
  const message = signingMessage(realTransfers[0]!.tx);
  const signature = realTransfers[0]!.signature;
  const PK_CODES = [BlsErrorCode.invalidPublicKey, BlsErrorCode.infinityPublicKey];
  const SIG_CODES = [BlsErrorCode.invalidSignature, BlsErrorCode.infinitySignature];
  // Random bytes almost never have valid flag bits, so most inputs are mutations of real points.
  const pkInput = fc.oneof(
    bytesN(48),
    fc.uint8Array({ maxLength: 100 }),
    mutatedBytes(fc.constant(key.publicKey)),
    fc
      .tuple(fc.nat({ max: 47 }), fc.nat({ max: 7 }))
      .map(([i, bit]) => applyByteMutation(key.publicKey, { kind: 'flip', at: i, bit })),
  );
  const sigInput = fc.oneof(
    bytesN(96),
    fc.uint8Array({ maxLength: 200 }),
    mutatedBytes(fc.constant(signature)),
    fc
      .tuple(fc.nat({ max: 95 }), fc.nat({ max: 7 }))
      .map(([i, bit]) => applyByteMutation(signature, { kind: 'flip', at: i, bit })),
  );

  it('public keys: validated or BLS_*_PUBLIC_KEY; verify is a boolean, true only for the real key', () => {
    fc.assert(
      fc.property(pkInput, (pk) => {
        decodeOrReject(() => bls.validatePublicKey(pk), PK_CODES);
        // A different encoding of the same key would be a malleable key: it must not verify.
        expect(bls.verify(pk, message, signature)).toBe(bytesEqual(pk, key.publicKey));
        expect(bls.aggregateVerify([pk], [message], signature)).toBe(bytesEqual(pk, key.publicKey));
      }),
      { numRuns: runs },
    );
  });

  it('signatures: validated or BLS_*_SIGNATURE; verify is true only for the real signature; aggregation is typed', () => {
    fc.assert(
      fc.property(sigInput, (sig) => {
        decodeOrReject(() => bls.validateSignature(sig, true), SIG_CODES);
        expect(bls.verify(key.publicKey, message, sig)).toBe(bytesEqual(sig, signature));
        decodeOrReject(() => bls.aggregateSignatures([signature, sig]), SIG_CODES);
      }),
      { numRuns: runs },
    );
  });

  it('secret keys: a public key or BLS_INVALID_SECRET_KEY, the same answer as the other backend', () => {
    const other = bls === blstBls ? nobleBls : blstBls;
    const sk = fc.oneof(
      bytesN(32),
      fc.uint8Array({ maxLength: 40 }),
      fc.constant(new Uint8Array(32)),
      fc.constant(new Uint8Array(32).fill(0xff)),
    );
    fc.assert(
      fc.property(sk, (s) => {
        const mine = decodeOrReject(() => bls.secretKeyToPublicKey(s), [BlsErrorCode.invalidSecretKey]);
        const theirs = decodeOrReject(() => other.secretKeyToPublicKey(s), [BlsErrorCode.invalidSecretKey]);
        expect(mine && toHex(mine)).toBe(theirs && toHex(theirs));
      }),
      { numRuns: Math.min(runs, 50) },
    );
  });
});

describe('fuzz: BLS backends agree', () => {
  it('blst and noble accept and refuse the same mutated public keys and signatures', () => {
    const input = fc.oneof(
      mutatedBytes(fc.constant(keys[1]!.publicKey)).map((b) => ({ pk: b })),
      mutatedBytes(fc.constant(realTransfers[1]!.signature)).map((b) => ({ sig: b })),
    );
    const outcome = (bls: Bls, v: { pk?: Uint8Array; sig?: Uint8Array }): string => {
      try {
        if (v.pk) bls.validatePublicKey(v.pk);
        else bls.validateSignature(v.sig!, true);
        return 'ok';
      } catch (err) {
        return (err as { code?: string }).code ?? 'raw';
      }
    };
    fc.assert(
      fc.property(input, (v) => {
        expect(outcome(nobleBls, v)).toBe(outcome(blstBls, v));
      }),
      { numRuns: scaled(20, 400) },
    );
  });
});

// ---------------------------------------------------------------- whole blocks through the chain

describe('fuzz: mutated blocks through Chain.processBlock', () => {
  const [alice, bob, carol] = keys as [TestKey, TestKey, TestKey];
  const opened: TestChain[] = [];
  const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
  // Signed transfers to pick blocks from: alice's valid chain of nonces, and some that break a
  // state rule (nonce gap, replay, an unfunded sender, overspending).
  const pool: SignedTransfer[] = [
    transfer(alice, bob.address, 5000n, 0),
    transfer(alice, carol.address, 7000n, 1, 2000n),
    transfer(alice, bob.address, 1n, 2),
    transfer(alice, bob.address, 1n, 5),
    transfer(alice, carol.address, 2n, 0),
    transfer(bob, carol.address, 10n, 0),
    transfer(alice, bob.address, MAX_MONEY, 3),
  ];
  const candidateBlock = buildBlock(b1, { txs: pool.slice(0, 3) });
  const candidate = encodeBlock(candidateBlock);
  const candidateHash = blockHash(candidateBlock.header);

  /** A chain at height 1 (alice funded by b1's coinbase); block 2 (`candidate`) not yet sent. */
  function fixture(): TestChain {
    const t = openTestChain();
    opened.push(t);
    expect(t.chain.processBlock(b1).status).toBe('connected');
    return t;
  }

  afterAll(() => {
    for (const t of opened) t.cleanup();
  });

  /**
   * The oracle for a block the chain connected on top of b1, written without the rules
   * module: its aggregate signature verifies, each sender's nonces run 0, 1, 2..., nobody
   * goes negative (replayed by test/helpers/replay.ts), and the chain's accounts match.
   */
  function expectValidConnected(t: TestChain, block: Block): void {
    const msgs = block.transactions.map((tx) => signingMessage(tx));
    const pks = block.transactions.map((tx) => tx.senderPublicKey);
    if (block.transactions.length > 0) expect(blstBls.aggregateVerify(pks, msgs, block.aggregateSignature)).toBe(true);
    const ledger = replay([b1, block]);
    const seen = new Map<string, number>();
    for (const tx of block.transactions) {
      const from = toHex(addressHashOf(tx.senderPublicKey));
      expect(tx.nonce).toBe(seen.get(from) ?? 0);
      seen.set(from, tx.nonce + 1);
    }
    for (const [addr, acct] of ledger) {
      expect(acct.balance >= 0n).toBe(true);
      expect(t.chain.getAccount(fromHex(addr, 'address'))).toEqual(acct);
    }
  }

  /** Feeds `bytes` to a chain at b1 and checks the outcome; 'connected' leaves the chain moved on. */
  function runOne(t: TestChain, bytes: Uint8Array): 'connected' | 'other' {
    const r = t.chain.processBlock(bytes);
    expect(['connected', 'side', 'orphan', 'duplicate', 'rejected']).toContain(r.status);
    if (r.status === 'rejected') expect(STABLE_CODES).toContain(r.error!.code);
    if (r.status === 'connected') {
      const block = decodeBlock(bytes);
      expect(toHex(t.chain.tip.hash)).toBe(toHex(blockHash(block.header)));
      expectValidConnected(t, block);
      return 'connected';
    }
    expect(toHex(t.chain.tip.hash)).toBe(toHex(blockHash(b1.header)));
    // A relayer's mutation must never get the honest block's hash marked invalid.
    expect(t.store.getInvalid(candidateHash)).toBeUndefined();
    return 'other';
  }

  /** Re-commits a decodable mutant: fresh txRoot and signatureHash, proof of work solved again. */
  function recommit(bytes: Uint8Array): Uint8Array | undefined {
    try {
      const b = decodeBlock(bytes);
      const solved = solveBlock(
        assembleBlock({
          ...b.header,
          coinbase: b.coinbase,
          transactions: b.transactions,
          aggregateSignature: b.aggregateSignature,
        }),
        64,
      );
      return solved && encodeBlock(solved);
    } catch (err) {
      // Undecodable, or bits that are no target at all: fed to the chain as they are.
      if (err instanceof OurCoinError) return undefined;
      throw err;
    }
  }

  /** A block on b1 from a subset of the pool, in any order, properly aggregated; coinbase off by a little. */
  const poolBlock = fc
    .tuple(fc.shuffledSubarray(pool, { minLength: 0 }), fc.constantFrom(0n, 0n, 1n, -1n), fc.boolean())
    .map(([txs, delta, dropSig]) => {
      const block = buildBlock(b1, {
        txs,
        coinbaseAmount: blockSubsidy(2, regtest) + txs.reduce((n, s) => n + s.tx.fee, 0n) + delta,
      });
      // Aggregating one signature fewer than the transfers: a bad aggregate with honest commitments.
      if (!dropSig || txs.length < 2) return encodeBlock(block);
      const sig = aggregateSignature(
        txs.slice(1).map((s) => s.signature),
        blstBls,
      );
      return encodeBlock(
        solveBlock(
          assembleBlock({
            ...block.header,
            coinbase: block.coinbase,
            transactions: block.transactions,
            aggregateSignature: sig,
          }),
        )!,
      );
    });

  const input = fc.oneof(
    mutatedBytes(fc.constant(candidate)),
    // Re-committed mutants get past the commitment and proof-of-work checks to the state rules.
    mutatedBytes(fc.constant(candidate)).map((bytes) => recommit(bytes) ?? bytes),
    poolBlock,
  );

  it('never throws; the tip moves only to a mutant that is itself a valid block; the honest block is never poisoned', () => {
    let t = fixture();
    const runs = scaled(150, 3000);
    let connected = 0;
    fc.assert(
      fc.property(input, (bytes) => {
        if (runOne(t, bytes) === 'connected') {
          connected++;
          t = fixture();
        }
      }),
      { numRuns: runs },
    );
    // After all the junk, the honest block still connects.
    expect(t.chain.processBlock(candidate).status).toBe('connected');
    expect(connected).toBeLessThan(runs);
  });
});
