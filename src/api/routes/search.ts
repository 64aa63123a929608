/**
 * GET /api/v1/search?q=…: what a search box finds, by height, by prefix of a block hash or a
 * txid (0x optional), or by prefix of an address; each also in the shortened form the
 * explorer displays (`0x1234abcd…9f8e7d`, `ourreg1qxyz…abcdef`: a prefix, an ellipsis, a suffix).
 *
 * A prefix is a range over the key's primary-key index (its bits padded with zeros, then with
 * ones: see prefixRange), so a search costs an index seek per kind, plus a scan of the pending
 * transfers' txids (the pool's bound). Too short a prefix would match much of the chain: it
 * needs MIN_HEX_DIGITS hex digits, or MIN_ADDRESS_CHARS characters after the address's `1q`
 * (400 SEARCH_PREFIX_TOO_SHORT). At most `limit` results (20), `truncated` when there are more.
 */
import type { FastifyInstance } from 'fastify';
import { ADDRESS_HASH_LENGTH, decodeAddress, encodeAddress } from '../../protocol/address.js';
import { toHex } from '../../protocol/bytes.js';
import type { KeyKind } from '../../chain/interface.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import type { SearchResult, SearchResults } from '../json.js';
import { EXAMPLE, field, nullableInt, responses } from '../schemas.js';

/** 16 bits: with a few thousand keys, a handful of matches. */
export const MIN_HEX_DIGITS = 4;
/** 20 bits of an address hash (5 a character). */
export const MIN_ADDRESS_CHARS = 4;
export const MAX_SEARCH_RESULTS = 20;
const DEFAULT_SEARCH_RESULTS = 10;
/** Keys read per kind when a suffix filters them (a suffix cannot narrow the index range). */
const SUFFIX_SCAN = 200;
const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const HASH_LENGTH = 32;

/**
 * The inclusive byte range of `width`-byte keys whose leading bits are `symbols`, each
 * `bitsPer` bits (4 for hex digits, 5 for bech32 characters): the bits followed by zeros, and
 * by ones. Bits past the key's width are ignored.
 */
export function prefixRange(
  symbols: readonly number[],
  bitsPer: number,
  width: number,
): { lo: Uint8Array; hi: Uint8Array } {
  const lo = new Uint8Array(width);
  const hi = new Uint8Array(width).fill(0xff);
  let bit = 0;
  for (const v of symbols)
    for (let b = bitsPer - 1; b >= 0 && bit < width * 8; b--, bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((v >> b) & 1) lo[bit >> 3]! |= mask;
      else hi[bit >> 3]! &= ~mask;
    }
  return { lo, hi };
}

interface Parsed {
  readonly height?: number;
  /** Hex digits after 0x. */
  readonly hex?: string;
  /** bech32 characters after `<prefix>1q`. */
  readonly address?: string;
  readonly suffix: string;
}

const tooShort = (what: string): ApiError =>
  new ApiError(400, ApiErrorCode.searchTooShort, `${what} is too short to search by: ${shortRule()}`);
const shortRule = (): string =>
  `give at least ${MIN_HEX_DIGITS} hex digits of a hash or txid, or ${MIN_ADDRESS_CHARS} characters of an address after its "1q"`;

/** What the query can be: a height, a hex prefix, an address prefix, each with an optional suffix. */
export function parseQuery(raw: string, addressPrefix: string): Parsed {
  const q = raw.trim().toLowerCase();
  const [head = '', suffix = '', ...rest] = q.split(/…|\.\.\./);
  if (rest.length > 0 || head === '')
    throw new ApiError(400, ApiErrorCode.searchBadQuery, 'expected one prefix, optionally "…" and a suffix');
  const addressStart = `${addressPrefix}1`;
  if (head.startsWith(addressStart)) {
    const data = head.slice(addressStart.length);
    if (![...(data + suffix)].every((c) => BECH32_CHARSET.includes(c)) || (data !== '' && data[0] !== 'q'))
      throw new ApiError(
        400,
        ApiErrorCode.searchBadQuery,
        `"${raw.slice(0, 100)}" is not part of a ${addressPrefix} address`,
      );
    if (data.length - 1 < MIN_ADDRESS_CHARS) throw tooShort(`"${raw.slice(0, 100)}"`);
    return { address: data.slice(1), suffix };
  }
  const isHex = /^(0x)?[0-9a-f]+$/.test(head) && /^[0-9a-f]*$/.test(suffix);
  const height = /^\d{1,10}$/.test(head) && suffix === '' ? Number(head) : undefined;
  const digits = isHex ? head.replace(/^0x/, '') : undefined;
  if (digits !== undefined && digits.length > 2 * HASH_LENGTH)
    throw new ApiError(400, ApiErrorCode.searchBadQuery, 'a hash or txid has at most 64 hex digits');
  const hex = digits !== undefined && digits.length >= MIN_HEX_DIGITS ? digits : undefined;
  if (height !== undefined) return { height, hex, suffix };
  if (digits !== undefined && hex === undefined) throw tooShort(`"${raw.slice(0, 100)}"`);
  if (hex !== undefined) return { hex, suffix };
  throw new ApiError(
    400,
    ApiErrorCode.searchBadQuery,
    `"${raw.slice(0, 100)}" is not a height, a hash or txid (hex), or an address; ${shortRule()}`,
  );
}

export function search(ctx: ApiContext, raw: string, limit: number): SearchResults {
  const { chain, network } = ctx;
  const parsed = parseQuery(raw, network.addressPrefix);
  const results: SearchResult[] = [];
  let truncated = false;
  const add = (r: SearchResult): void => {
    if (results.some((x) => x.kind === r.kind && x.id === r.id)) return;
    if (results.length < limit) results.push(r);
    else truncated = true;
  };
  const scan = parsed.suffix === '' ? limit + 1 : SUFFIX_SCAN;
  const keys = (kind: KeyKind, symbols: number[], bitsPer: number, width: number): Uint8Array[] => {
    const { lo, hi } = prefixRange(symbols, bitsPer, width);
    return chain.keysInRange(kind, lo, hi, scan);
  };

  if (parsed.height !== undefined) {
    const hash = chain.mainHashAt(parsed.height);
    if (hash) add({ kind: 'block', id: toHex(hash), height: parsed.height });
  }
  if (parsed.hex !== undefined) {
    const { hex, suffix } = parsed;
    const fits = (id: string): boolean => id.startsWith('0x' + hex) && id.endsWith(suffix);
    const nibbles = [...hex].map((c) => Number.parseInt(c, 16));
    for (const hash of keys('block', nibbles, 4, HASH_LENGTH)) {
      const id = toHex(hash);
      if (fits(id)) add({ kind: 'block', id, height: chain.getRecord(hash)?.height ?? null });
    }
    for (const txid of keys('transaction', nibbles, 4, HASH_LENGTH)) {
      const id = toHex(txid);
      if (fits(id)) add({ kind: 'transaction', id, height: chain.getTxLocation(txid)?.height ?? null });
    }
    for (const e of ctx.pool.entries()) {
      const id = toHex(e.txid);
      if (fits(id)) add({ kind: 'transaction', id, height: null });
    }
  }
  if (parsed.address !== undefined) {
    const { address, suffix } = parsed;
    const full = `${network.addressPrefix}1q${address}`;
    if (address.length === 32 + 6) {
      // A whole address: exact, whether or not it has any history.
      add({ kind: 'address', id: encodeAddress(decodeAddress(full, network), network), height: null });
    } else {
      const words = [...address.slice(0, 32)].map((c) => BECH32_CHARSET.indexOf(c));
      for (const hash of keys('address', words, 5, ADDRESS_HASH_LENGTH)) {
        const id = encodeAddress(hash, network);
        if (id.startsWith(full) && id.endsWith(suffix)) add({ kind: 'address', id, height: null });
      }
    }
  }
  return { query: raw, results, truncated };
}

const searchQuerySchema = {
  type: 'object',
  required: ['q'],
  properties: {
    q: field(
      { type: 'string', minLength: 1, maxLength: 200 } as const,
      'a height, a prefix of a block hash, txid (hex, 0x optional) or address, or a shortened id (prefix…suffix)',
      '0xb0c64653',
    ),
    limit: field(
      { type: 'integer', minimum: 1, maximum: MAX_SEARCH_RESULTS, default: DEFAULT_SEARCH_RESULTS } as const,
      `results at most (${MAX_SEARCH_RESULTS})`,
      10,
    ),
  },
} as const;

const searchResultsSchema = {
  type: 'object',
  required: ['query', 'results', 'truncated'],
  properties: {
    query: field({ type: 'string' } as const, 'the query as given', '0xb0c64653'),
    results: {
      type: 'array',
      description: 'blocks, then transactions (confirmed, then pending), then addresses',
      items: {
        type: 'object',
        required: ['kind', 'id', 'height'],
        properties: {
          kind: field(
            { type: 'string', enum: ['block', 'transaction', 'address'] } as const,
            'what was found',
            'transaction',
          ),
          id: field({ type: 'string' } as const, 'block hash, txid (0x-hex) or address', EXAMPLE.txid),
          height: nullableInt(
            "the block's height, or the transaction's block height; null when pending or an address",
            3,
          ),
        },
      },
    },
    truncated: field({ type: 'boolean' } as const, 'whether more matched than were listed', false),
  },
  examples: [
    { query: '0xb0c64653', results: [{ kind: 'transaction', id: EXAMPLE.txid, height: 3 }], truncated: false },
  ],
} as const;

export function registerSearchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { q: string; limit?: number } }>(
    '/search',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Find blocks, transactions and addresses by height, prefix or shortened id',
        description: `400 SEARCH_PREFIX_TOO_SHORT below ${MIN_HEX_DIGITS} hex digits or ${MIN_ADDRESS_CHARS} address characters.`,
        querystring: searchQuerySchema,
        response: responses({ 200: searchResultsSchema }, [400]),
      },
    },
    (request) => search(ctx, request.query.q, request.query.limit ?? DEFAULT_SEARCH_RESULTS),
  );
}
