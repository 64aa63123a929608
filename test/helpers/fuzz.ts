/**
 * What the fuzz tests (test/fuzz.*.test.ts) share: arbitraries that mutate valid bytes and
 * valid JSON, and the check that a rejection is an `OurCoinError` with one of the project's
 * stable codes rather than a raw exception.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ApiErrorCode } from '../../src/api/errors.js';
import { BlsErrorCode } from '../../src/crypto/interface.js';
import { MempoolErrorCode } from '../../src/mempool/interface.js';
import { AddressErrorCode } from '../../src/protocol/address.js';
import { AmountErrorCode } from '../../src/protocol/amount.js';
import { EncodingErrorCode } from '../../src/protocol/bytes.js';
import { OurCoinError } from '../../src/errors.js';
import { PowErrorCode } from '../../src/protocol/pow.js';
import { RuleCode } from '../../src/protocol/rules/codes.js';
import { KeystoreErrorCode } from '../../src/crypto/keystore.js';
import { ChainErrorCode } from '../../src/chain/interface.js';

/** Every code an `OurCoinError` or an API error body may carry (each one documented). */
export const STABLE_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ApiErrorCode),
  ...Object.values(BlsErrorCode),
  ...Object.values(MempoolErrorCode),
  ...Object.values(AddressErrorCode),
  ...Object.values(AmountErrorCode),
  ...Object.values(EncodingErrorCode),
  ...Object.values(PowErrorCode),
  ...Object.values(RuleCode),
  ...Object.values(KeystoreErrorCode),
  ...Object.values(ChainErrorCode),
  'TX_JSON_INVALID',
]);

/**
 * Runs `f`: its value when it returns, `undefined` when it throws an `OurCoinError` whose code
 * is in `codes`; any other exception (TypeError, RangeError, a foreign library's Error) fails.
 */
export function decodeOrReject<T>(f: () => T, codes: Iterable<string>): T | undefined {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof OurCoinError))
      throw new Error(`raw exception instead of an OurCoinError: ${String(err)}`, { cause: err });
    expect([...codes]).toContain(err.code);
    return undefined;
  }
}

// ---------------------------------------------------------------- bytes

/** One edit of a byte string; positions are taken modulo the length, so any value fits. */
export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'extend'; readonly extra: Uint8Array }
  | { readonly kind: 'splice'; readonly at: number; readonly remove: number; readonly insert: Uint8Array }
  // Counts and lengths are u32s: overwriting four bytes with edge values reaches the bounds checks.
  | { readonly kind: 'u32'; readonly at: number; readonly value: number };

const u32Edge = fc.oneof(
  fc.constantFrom(0, 1, 2, 63, 64, 65, 127, 128, 129, 2000, 2001, 10_400, 10_401, 0x7fff_ffff, 0xffff_ffff),
  fc.nat({ max: 0xffff_ffff }),
);

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 200 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    remove: fc.nat({ max: 64 }),
    insert: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: u32Edge }),
);

export function applyByteMutation(bytes: Uint8Array, m: ByteMutation): Uint8Array {
  const at = (n: number): number => (bytes.length === 0 ? 0 : n % bytes.length);
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(bytes);
      if (out.length > 0) out[at(m.at)]! ^= 1 << m.bit;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at(m.at));
    case 'extend':
      return Uint8Array.from([...bytes, ...m.extra]);
    case 'splice': {
      const i = at(m.at);
      return Uint8Array.from([...bytes.subarray(0, i), ...m.insert, ...bytes.subarray(i + m.remove)]);
    }
    case 'u32': {
      const out = Uint8Array.from(bytes);
      if (out.length < 4) return out;
      new DataView(out.buffer).setUint32(m.at % (out.length - 3), m.value);
      return out;
    }
  }
}

/** `valid` bytes with one to three mutations applied. */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(byteMutation, { minLength: 1, maxLength: 3 }))
    .map(([b, ms]) => ms.reduce(applyByteMutation, b));
}

// ---------------------------------------------------------------- JSON

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings that tend to break parsers: unicode, huge, numeric-looking, escapes. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e308',
    '1e309',
    'NaN',
    'Infinity',
    '0x',
    '0X00',
    '99999999999999999999999',
    '..',
    '../..',
    '%00',
    '\u0000',
    '__proto__',
    'constructor',
    '\ud800',
    'ourreg1',
    '🔑',
  ),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** One edit somewhere in a JSON tree: replace, delete, add, or retype a node. */
export type JsonMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly kind: 'retype'; readonly at: number }
  | { readonly kind: 'string'; readonly at: number; readonly edit: ByteMutation };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    value: fc.oneof(fc.jsonValue() as fc.Arbitrary<Json>, nastyString),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'txid', 'type')),
    value: fc.jsonValue() as fc.Arbitrary<Json>,
  }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('string' as const), at: fc.nat(), edit: byteMutation }),
);

/** The same value as another JSON type: "5" <-> 5, x -> [x], and so on. */
function retyped(v: Json): Json {
  if (typeof v === 'string') return /^-?[0-9]+$/.test(v) ? Number(v) : v.length;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return {};
  return Array.isArray(v) ? { ...v } : [v];
}

/** Nodes of `root` in depth-first order, each with its parent and key (root has none). */
function nodesOf(root: Json): { parent?: Json[] | { [key: string]: Json }; key?: string | number; value: Json }[] {
  const out: { parent?: Json[] | { [key: string]: Json }; key?: string | number; value: Json }[] = [{ value: root }];
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!.value;
    if (Array.isArray(v)) v.forEach((c, k) => out.push({ parent: v, key: k, value: c }));
    else if (v !== null && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) out.push({ parent: v, key: k, value: c });
  }
  return out;
}

export function applyJsonMutation(value: Json, m: JsonMutation): Json {
  const root = structuredClone(value);
  const nodes = nodesOf(root);
  const node = nodes[m.at % nodes.length]!;
  const set = (v: Json): Json => {
    if (node.parent === undefined) return v;
    (node.parent as Record<string | number, Json>)[node.key!] = v;
    return root;
  };
  switch (m.kind) {
    case 'replace':
      return set(m.value);
    case 'retype':
      return set(retyped(node.value));
    case 'string': {
      if (typeof node.value !== 'string') return set(retyped(node.value));
      const edited = applyByteMutation(new TextEncoder().encode(node.value), m.edit);
      return set(new TextDecoder().decode(edited));
    }
    case 'delete':
      if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
      else if (node.parent !== undefined) delete node.parent[node.key as string];
      return root;
    case 'add':
      // defineProperty, so that "__proto__" becomes an own key as JSON.parse would make it.
      if (node.value !== null && typeof node.value === 'object' && !Array.isArray(node.value)) {
        Object.defineProperty(node.value, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else if (Array.isArray(node.value)) node.value.push(m.value);
      return root;
  }
}

/** `valid` JSON with one to three mutations applied. */
export function mutatedJson(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .tuple(valid, fc.array(jsonMutation, { minLength: 1, maxLength: 3 }))
    .map(([v, ms]) => ms.reduce(applyJsonMutation, v));
}
