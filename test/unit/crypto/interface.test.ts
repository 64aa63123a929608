/**
 * The BLS contract (src/crypto/interface.ts) on both backends, blst and noble: every case
 * of the Ethereum POP-ciphersuite vectors vendored in test/fixtures/bls12-381 (source and
 * license in its README), and the validation contract. noble is ~20 ms per pairing check, so
 * the noble-facing tests keep their counts small rather than skipping.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  BlsErrorCode,
  INFINITY_SIGNATURE,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from '../../../src/crypto/interface.js';
import { nobleBls } from '../../../src/crypto/noble.js';
import { isOurCoinError } from '../../../src/errors.js';
import { G1_OFF_CURVE, attempt, backends, compressedWithX, expectCode, testKey, utf8 } from '../../helpers/bls.js';

// ---------------------------------------------------------------- vectors

const vectorsDir = fileURLToPath(new URL('../../fixtures/bls12-381/', import.meta.url));

function bytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !value.startsWith('0x')) throw new Error(`expected 0x-hex, got ${String(value)}`);
  return hexToBytes(value.slice(2));
}

const hex = (b: Uint8Array | null): string | null => (b === null ? null : `0x${bytesToHex(b)}`);

// Fail loudly at collection time: a missing vectors folder must never look like a green run.
if (!existsSync(vectorsDir)) throw new Error(`BLS vectors not found at ${vectorsDir}`);

interface VectorCase {
  readonly name: string;
  readonly input: unknown;
  readonly output: unknown;
}

function loadCases(folder: string): VectorCase[] {
  const dir = path.join(vectorsDir, folder);
  if (!existsSync(dir)) throw new Error(`BLS vectors folder missing: ${dir}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`BLS vectors folder is empty: ${dir}`);
  return files.map((file) => {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('input' in parsed) || !('output' in parsed)) {
      throw new Error(`malformed vector ${folder}/${file}`);
    }
    return { name: file.replace(/\.json$/, ''), input: parsed.input, output: parsed.output };
  });
}

function bytesList(value: unknown): Uint8Array[] {
  if (!Array.isArray(value)) throw new Error('expected a list of 0x-hex strings');
  return value.map((v: unknown) => bytes(v));
}

function field(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || !(key in obj)) throw new Error(`vector input lacks "${key}"`);
  return (obj as Record<string, unknown>)[key];
}

const signCases = loadCases('sign');
const verifyCases = loadCases('verify');
const aggregateCases = loadCases('aggregate');
const aggregateVerifyCases = loadCases('aggregate_verify');

describe.each(backends)('$name: BLS12-381 POP vectors', (bls) => {
  it.each(signCases)('sign/$name', ({ input, output }) => {
    const r = attempt(() => bls.sign(bytes(field(input, 'privkey')), bytes(field(input, 'message'))));
    expect(hex(r.value)).toBe(output);
    if (output === null) expect(isOurCoinError(r.error, BlsErrorCode.invalidSecretKey)).toBe(true);
  });

  it.each(verifyCases)('verify/$name', ({ input, output }) => {
    const r = attempt(() =>
      bls.verify(bytes(field(input, 'pubkey')), bytes(field(input, 'message')), bytes(field(input, 'signature'))),
    );
    expect(r.value ?? false).toBe(output);
    expect(r.threw, 'verify returns false, never throws').toBe(false);
  });

  it.each(aggregateCases)('aggregate/$name', ({ input, output }) => {
    const r = attempt(() => bls.aggregateSignatures(bytesList(input)));
    expect(hex(r.value)).toBe(output);
    if (output === null) expect(isOurCoinError(r.error, BlsErrorCode.emptyAggregate)).toBe(true);
  });

  it.each(aggregateVerifyCases)('aggregate_verify/$name', ({ input, output }) => {
    const r = attempt(() =>
      bls.aggregateVerify(
        bytesList(field(input, 'pubkeys')),
        bytesList(field(input, 'messages')),
        bytes(field(input, 'signature')),
      ),
    );
    expect(r.value ?? false).toBe(output);
    expect(r.threw, 'aggregateVerify returns false, never throws').toBe(false);
  });

  // Decision (docs/decisions/0002-bls-backends.md): aggregateSignatures is plain group addition
  // and accepts the point at infinity, as `aggregate_infinity_signature` expects. The protocol
  // refuses an infinity transaction signature earlier, on input, with validateSignature; and
  // neither verify nor aggregateVerify accepts infinity as the signature being checked.
  it('aggregate_infinity_signature: accepted by aggregation, refused on input and in verification', () => {
    expect(bls.aggregateSignatures([INFINITY_SIGNATURE])).toEqual(INFINITY_SIGNATURE);
    expectCode(() => bls.validateSignature(INFINITY_SIGNATURE), BlsErrorCode.infinitySignature);
    expect(() => bls.validateSignature(INFINITY_SIGNATURE, true)).not.toThrow();
    const [one] = signCases;
    const sig = bls.sign(bytes(field(one!.input, 'privkey')), bytes(field(one!.input, 'message')));
    // Infinity is the identity: adding it changes nothing.
    expect(bls.aggregateSignatures([sig, INFINITY_SIGNATURE])).toEqual(sig);
    const pk = bls.secretKeyToPublicKey(testKey(0));
    expect(bls.verify(pk, new Uint8Array([1]), INFINITY_SIGNATURE)).toBe(false);
    expect(bls.aggregateVerify([pk], [new Uint8Array([1])], INFINITY_SIGNATURE)).toBe(false);
  });
});

// ---------------------------------------------------------------- helpers

const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

function scalarBytes(n: bigint): Uint8Array {
  return hexToBytes(n.toString(16).padStart(64, '0'));
}

const G1_NOT_IN_SUBGROUP = compressedWithX(PUBLIC_KEY_LENGTH, 4);
const G2_OFF_CURVE = compressedWithX(SIGNATURE_LENGTH, 1);
const G2_NOT_IN_SUBGROUP = compressedWithX(SIGNATURE_LENGTH, 2);

/** x = 2^381 - 1 > p: the compressed field element is not canonical. */
function nonCanonicalX(length: number): Uint8Array {
  const b = new Uint8Array(length).fill(0xff);
  b[0] = 0x9f;
  return b;
}

function infinityWith(length: number, first: number, last = 0): Uint8Array {
  const b = new Uint8Array(length);
  b[0] = first;
  b[length - 1] = last;
  return b;
}

// ---------------------------------------------------------------- validation contract

describe.each(backends)('$name: validation contract', (bls) => {
  const sk = testKey(1);
  const pk = bls.secretKeyToPublicKey(sk);
  const msg = utf8('validation');
  const sig = bls.sign(sk, msg);

  it('validatePublicKey accepts a real key and rejects infinity, bad points and wrong lengths', () => {
    expect(() => bls.validatePublicKey(pk)).not.toThrow();
    expectCode(() => bls.validatePublicKey(infinityWith(PUBLIC_KEY_LENGTH, 0xc0)), BlsErrorCode.infinityPublicKey);
    const invalid: Uint8Array[] = [
      G1_OFF_CURVE,
      G1_NOT_IN_SUBGROUP,
      nonCanonicalX(PUBLIC_KEY_LENGTH),
      infinityWith(PUBLIC_KEY_LENGTH, 0xc0, 1), // infinity flag with a non-zero payload
      infinityWith(PUBLIC_KEY_LENGTH, 0xe0), // infinity flag with the sort flag
      Uint8Array.from([pk[0]! & 0x7f, ...pk.subarray(1)]), // compression flag cleared
      new Uint8Array(0),
      pk.subarray(0, 47),
      Uint8Array.from([...pk, 0]),
      new Uint8Array(96), // uncompressed length: never accepted, even if the point is fine
    ];
    for (const bad of invalid) expectCode(() => bls.validatePublicKey(bad), BlsErrorCode.invalidPublicKey);
  });

  it('rejects the uncompressed (96-byte) form of a valid public key', () => {
    const uncompressed = uncompressedPublicKey(sk);
    expectCode(() => bls.validatePublicKey(uncompressed), BlsErrorCode.invalidPublicKey);
    expect(bls.verify(uncompressed, msg, sig)).toBe(false);
  });

  it('validateSignature accepts a real signature and rejects infinity, bad points and wrong lengths', () => {
    expect(() => bls.validateSignature(sig)).not.toThrow();
    expectCode(() => bls.validateSignature(INFINITY_SIGNATURE), BlsErrorCode.infinitySignature);
    expectCode(() => bls.validateSignature(INFINITY_SIGNATURE, false), BlsErrorCode.infinitySignature);
    const invalid: Uint8Array[] = [
      G2_OFF_CURVE,
      G2_NOT_IN_SUBGROUP,
      nonCanonicalX(SIGNATURE_LENGTH),
      infinityWith(SIGNATURE_LENGTH, 0xc0, 1),
      infinityWith(SIGNATURE_LENGTH, 0xe0),
      new Uint8Array(SIGNATURE_LENGTH), // all zero: compression flag missing
      new Uint8Array(0),
      sig.subarray(0, 95),
      Uint8Array.from([...sig, 0]),
      new Uint8Array(192),
    ];
    for (const bad of invalid) {
      expectCode(() => bls.validateSignature(bad), BlsErrorCode.invalidSignature);
      // allowInfinity only lets the canonical infinity through, nothing else.
      expectCode(() => bls.validateSignature(bad, true), BlsErrorCode.invalidSignature);
      expect(bls.verify(pk, msg, bad)).toBe(false);
    }
  });

  it('secret keys: 0, r, r + 1, 2^256 - 1 and wrong lengths throw BLS_INVALID_SECRET_KEY; r - 1 works', () => {
    const bad = [
      new Uint8Array(32),
      scalarBytes(CURVE_ORDER),
      scalarBytes(CURVE_ORDER + 1n), // noble alone would reduce this to 1
      new Uint8Array(32).fill(0xff),
      new Uint8Array(31).fill(1),
      new Uint8Array(33).fill(1),
    ];
    for (const k of bad) {
      expectCode(() => bls.secretKeyToPublicKey(k), BlsErrorCode.invalidSecretKey);
      expectCode(() => bls.sign(k, msg), BlsErrorCode.invalidSecretKey);
    }
    // (r - 1) * G = -G: same x as the vectors' "one privkey" key, opposite sign flag.
    expect(bytesToHex(bls.secretKeyToPublicKey(scalarBytes(CURVE_ORDER - 1n)))).toBe(
      'b7f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb',
    );
  });

  it('verify: true for the real triple, false for a changed message, key or signature', () => {
    expect(bls.verify(pk, msg, sig)).toBe(true);
    expect(bls.verify(pk, utf8('validatioN'), sig)).toBe(false);
    expect(bls.verify(bls.secretKeyToPublicKey(testKey(2)), msg, sig)).toBe(false);
    expect(bls.verify(infinityWith(PUBLIC_KEY_LENGTH, 0xc0), msg, sig)).toBe(false);
  });

  it('aggregateVerify is false (never throws) on empty, mismatched or invalid input', () => {
    const cases: [Uint8Array[], Uint8Array[], Uint8Array][] = [
      [[], [], sig],
      [[], [], INFINITY_SIGNATURE],
      [[pk], [], sig],
      [[pk], [msg, msg], sig],
      [[infinityWith(PUBLIC_KEY_LENGTH, 0xc0)], [msg], sig],
      [[G1_NOT_IN_SUBGROUP], [msg], sig],
      [[pk], [msg], G2_NOT_IN_SUBGROUP],
      [[pk], [msg], sig.subarray(1)],
    ];
    for (const [pks, msgs, s] of cases) {
      const r = attempt(() => bls.aggregateVerify(pks, msgs, s));
      expect(r).toEqual({ value: false, error: undefined, threw: false });
    }
    expect(bls.aggregateVerify([pk], [msg], sig)).toBe(true);
  });

  it('aggregateSignatures: BLS_EMPTY_AGGREGATE on [], BLS_INVALID_SIGNATURE on a bad point', () => {
    expectCode(() => bls.aggregateSignatures([]), BlsErrorCode.emptyAggregate);
    expectCode(() => bls.aggregateSignatures([sig, G2_NOT_IN_SUBGROUP]), BlsErrorCode.invalidSignature);
    expectCode(() => bls.aggregateSignatures([sig, sig.subarray(1)]), BlsErrorCode.invalidSignature);
  });

  it('the public-key cache never changes a result', () => {
    // Same key twice (second time from the cache), and a copy with a different buffer.
    expect(bls.verify(pk, msg, sig)).toBe(true);
    expect(bls.verify(Uint8Array.from(pk), msg, sig)).toBe(true);
    expect(bls.verify(pk, utf8('other'), sig)).toBe(false);
    // A rejected key is not remembered as valid, and a valid key does not whitelist a tampered one.
    for (let i = 0; i < 2; i++) {
      expectCode(() => bls.validatePublicKey(G1_NOT_IN_SUBGROUP), BlsErrorCode.invalidPublicKey);
      expectCode(() => bls.validatePublicKey(infinityWith(PUBLIC_KEY_LENGTH, 0xc0)), BlsErrorCode.infinityPublicKey);
    }
    const tampered = Uint8Array.from(pk);
    tampered[47]! ^= 1;
    expect(bls.verify(tampered, msg, sig)).toBe(false);
  });
});

/** The 96-byte uncompressed (x || y) form of sk's public key; our interface never emits it. */
function uncompressedPublicKey(sk: Uint8Array): Uint8Array {
  return bls12_381.G1.Point.fromBytes(nobleBls.secretKeyToPublicKey(sk)).toBytes(false);
}
