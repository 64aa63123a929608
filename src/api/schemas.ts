/**
 * JSON schemas of the HTTP API: they validate parameters and query strings, document bodies
 * (enforced by `strictBody.ts`), drive response serialization, and become the OpenAPI
 * document served at /docs/json. Conventions: bytes are 0x-hex, amounts are decimal strings
 * of base units (1 OUR = 10^8), addresses are bech32m, and no bigint ever reaches JSON.
 */

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;
export const MAX_BATCH = 1000;
export const MAX_MINE_BLOCKS = 1000;
export const MAX_MEMPOOL_LIST = 1000;

// ---- building blocks ----

const hex = (bytes: number, description: string) =>
  ({
    type: 'string',
    pattern: `^0x[0-9a-f]{${bytes * 2}}$`,
    description: `${description} (0x-hex, ${bytes} bytes)`,
  }) as const;

export const hash32 = hex(32, 'hash');
export const addressString = {
  type: 'string',
  description: 'bech32m address of this network',
  examples: ['ourreg1q...'],
} as const;
export const amountString = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]*)$',
  description: 'decimal string of base units (1 OUR = 100000000)',
  examples: ['150000000'],
} as const;
const nullable = <T extends { type: string }>(s: T) => ({ ...s, type: [s.type, 'null'] }) as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable, documented error code (branch on it, never on message)' },
        message: { type: 'string' },
      },
    },
  },
} as const;

const errorDescriptions: Record<number, string> = {
  400: 'Malformed request or invalid input (BAD_JSON, BAD_REQUEST, ENCODING_*, ADDRESS_*, AMOUNT_*, TX_*)',
  403: 'Not allowed here (NOT_REGTEST on another network; ADMIN_LOCAL_ONLY, METRICS_LOCAL_ONLY from a non-loopback client)',
  404: 'Not found',
  409: 'Conflicts with the chain state or the mempool (MEMPOOL_*)',
  413: 'Request body too large (BODY_TOO_LARGE)',
  415: 'Body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  429: "Rate limited (RATE_LIMITED), or too many of this client's transfers waiting (MEMPOOL_BUSY); see retry-after",
  500: 'Internal error (INTERNAL)',
  503: 'Temporarily unable (MEMPOOL_FULL)',
};

/** A route's response schemas: the success ones plus `{ error }` for each listed status (and 429, 500). */
export function responses(
  success: Record<number, object>,
  errorStatuses: readonly number[] = [400],
): Record<number, object> {
  const out: Record<number, object> = {};
  for (const [status, schema] of Object.entries(success))
    out[Number(status)] = { description: Number(status) === 202 ? 'Accepted' : 'OK', ...schema };
  for (const status of [...errorStatuses, 429, 500])
    out[status] = { ...errorSchema, description: errorDescriptions[status] ?? 'Error' };
  return out;
}

// ---- transactions ----

export const transferJsonSchema = {
  type: 'object',
  description:
    'A transfer. `signature` appears only where the individual signature is known (mempool); in blocks it is aggregated.',
  required: ['type', 'txid', 'chainId', 'senderPublicKey', 'sender', 'recipient', 'amount', 'fee', 'nonce'],
  properties: {
    type: { type: 'string', enum: ['transfer'] },
    txid: hash32,
    chainId: { type: 'integer' },
    senderPublicKey: hex(48, 'BLS12-381 G1 public key'),
    sender: addressString,
    recipient: addressString,
    amount: amountString,
    fee: amountString,
    nonce: { type: 'integer' },
    signature: hex(96, 'BLS12-381 G2 signature'),
  },
} as const;

export const coinbaseJsonSchema = {
  type: 'object',
  required: ['type', 'txid', 'chainId', 'height', 'recipient', 'amount'],
  properties: {
    type: { type: 'string', enum: ['coinbase'] },
    txid: hash32,
    chainId: { type: 'integer' },
    height: { type: 'integer' },
    recipient: addressString,
    amount: amountString,
  },
} as const;

export const anyTransactionSchema = { anyOf: [transferJsonSchema, coinbaseJsonSchema] } as const;

/**
 * A signed transfer as clients submit it. Types are enforced strictly (no coercion); the
 * contents (hex, lengths, address checksum and network, amount range) are checked by the
 * protocol parser, whose error codes are more precise than a pattern mismatch.
 * Read-only fields of the transaction JSON (type, txid, sender) may be present and are ignored.
 */
export const signedTransferInputSchema = {
  type: 'object',
  required: ['chainId', 'senderPublicKey', 'recipient', 'amount', 'fee', 'nonce', 'signature'],
  properties: {
    chainId: {
      type: 'integer',
      minimum: 0,
      maximum: 0xffff_ffff,
      description: 'the network chain id (regtest 0x4f555252, devnet 0x4f555244)',
    },
    senderPublicKey: { type: 'string', description: '0x-hex, 48 bytes: compressed BLS12-381 G1 public key' },
    recipient: { type: 'string', description: 'bech32m address of this network' },
    amount: { type: 'string', description: 'decimal string of base units, at least 1', examples: ['150000000'] },
    fee: { type: 'string', description: 'decimal string of base units', examples: ['1000'] },
    nonce: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "the sender's next nonce" },
    signature: {
      type: 'string',
      description: '0x-hex, 96 bytes: BLS signature of the signing message (docs/protocol.md 4.3)',
    },
  },
} as const;

export const submitBodySchema = {
  anyOf: [
    signedTransferInputSchema,
    {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      items: signedTransferInputSchema,
      description: `a batch of up to ${MAX_BATCH} signed transfers`,
    },
  ],
} as const;

export const submitAcceptedSchema = {
  type: 'object',
  required: ['txid'],
  properties: {
    txid: hash32,
    replaced: { ...hash32, description: 'txid of the pending transfer this one replaced (higher fee, same nonce)' },
  },
} as const;

export const batchResultSchema = {
  type: 'array',
  description: 'one result per submitted item, in order',
  items: {
    type: 'object',
    required: ['index', 'accepted', 'txid'],
    properties: {
      index: { type: 'integer' },
      accepted: { type: 'boolean' },
      txid: { ...nullable(hash32), description: 'null when the item could not be parsed' },
      replaced: hash32,
      error: errorSchema.properties.error,
    },
  },
} as const;

export const txidParamsSchema = {
  type: 'object',
  required: ['txid'],
  properties: { txid: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$', description: 'txid (0x-hex, 32 bytes)' } },
} as const;

export const txStatusSchema = { type: 'string', enum: ['pending', 'confirmed'] } as const;

export const transactionInfoSchema = {
  type: 'object',
  required: ['status', 'transaction', 'blockHash', 'height', 'confirmations', 'position'],
  properties: {
    status: txStatusSchema,
    transaction: anyTransactionSchema,
    blockHash: nullable(hash32),
    height: nullableInt,
    confirmations: { type: 'integer' },
    position: { ...nullableInt, description: '0 is the coinbase, 1.. the transfers in block order' },
  },
} as const;

// ---- blocks ----

export const blockSummarySchema = {
  type: 'object',
  required: ['hash', 'height', 'prevHash', 'timestamp', 'transfers', 'size', 'aggregateSignature'],
  properties: {
    hash: hash32,
    height: { type: 'integer' },
    prevHash: hash32,
    timestamp: { type: 'integer', description: 'Unix seconds' },
    transfers: { type: 'integer', description: 'number of transfers (the coinbase not counted)' },
    size: { type: 'integer', description: 'bytes of the canonical encoding' },
    aggregateSignature: hex(96, 'the ONE aggregate BLS signature of all transfers'),
  },
} as const;

export const blockPageQuerySchema = {
  type: 'object',
  properties: {
    from: {
      type: 'integer',
      minimum: 0,
      description: 'first height listed (default: the tip when newest first, 0 when oldest first)',
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
    order: {
      type: 'string',
      enum: ['desc', 'asc'],
      default: 'desc',
      description: 'desc: newest first (default); asc: oldest first',
    },
  },
} as const;

export const blockPageSchema = {
  type: 'object',
  required: ['tipHeight', 'blocks', 'next'],
  properties: {
    tipHeight: { type: 'integer' },
    blocks: { type: 'array', items: blockSummarySchema },
    next: { ...nullableInt, description: 'the `from` of the next page, null after the last' },
  },
} as const;

export const blockParamsSchema = {
  type: 'object',
  required: ['hashOrHeight'],
  properties: {
    hashOrHeight: {
      type: 'string',
      pattern: '^(0x[0-9a-fA-F]{64}|0|[1-9][0-9]{0,9})$',
      description: 'a block hash (0x-hex, 32 bytes; any stored block) or a decimal height (main chain)',
    },
  },
} as const;

export const blockDetailSchema = {
  type: 'object',
  required: [
    'hash',
    'header',
    'coinbase',
    'transactions',
    'aggregateSignature',
    'size',
    'height',
    'confirmations',
    'onMainChain',
    'cumulativeWork',
  ],
  properties: {
    hash: hash32,
    header: {
      type: 'object',
      required: ['version', 'height', 'prevHash', 'txRoot', 'signatureHash', 'timestamp', 'bits', 'nonce'],
      properties: {
        version: { type: 'integer' },
        height: { type: 'integer' },
        prevHash: hash32,
        txRoot: hash32,
        signatureHash: hash32,
        timestamp: { type: 'integer' },
        bits: { type: 'string', pattern: '^0x[0-9a-f]{8}$', description: 'compact target' },
        nonce: { type: 'integer' },
      },
    },
    coinbase: coinbaseJsonSchema,
    transactions: { type: 'array', items: transferJsonSchema },
    aggregateSignature: hex(
      96,
      'the ONE aggregate BLS signature of all transfers (infinity, 0xc0 then zeros, when there are none)',
    ),
    size: { type: 'integer' },
    height: { type: 'integer' },
    confirmations: { type: 'integer', description: '0 off the main chain' },
    onMainChain: { type: 'boolean' },
    cumulativeWork: { type: 'string', pattern: '^[0-9]+$', description: 'decimal string' },
  },
} as const;

// ---- addresses ----

export const addressParamsSchema = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string', description: 'bech32m address of this network' } },
} as const;

export const addressInfoSchema = {
  type: 'object',
  required: ['address', 'balance', 'pendingBalance', 'nonce', 'nextNonce'],
  properties: {
    address: addressString,
    balance: { ...amountString, description: 'confirmed balance, base units' },
    pendingBalance: {
      ...amountString,
      description: 'confirmed balance minus pending outgoing amounts and fees, plus pending incoming amounts',
    },
    nonce: { type: 'integer', description: 'confirmed nonce (transfers sent and mined)' },
    nextNonce: { type: 'integer', description: 'the nonce for the next transfer, counting pending ones' },
  },
} as const;

export const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
  },
} as const;

export const historyItemSchema = {
  type: 'object',
  required: ['status', 'txid', 'direction', 'transaction', 'height', 'blockHash', 'confirmations', 'position'],
  properties: {
    status: txStatusSchema,
    txid: hash32,
    direction: { type: 'string', enum: ['in', 'out', 'self'] },
    transaction: anyTransactionSchema,
    height: nullableInt,
    blockHash: nullable(hash32),
    confirmations: { type: 'integer' },
    position: nullableInt,
  },
} as const;

export const historySchema = {
  type: 'object',
  required: ['address', 'pending', 'transactions'],
  properties: {
    address: addressString,
    pending: { type: 'integer', description: 'pending transactions of this address (listed first)' },
    transactions: {
      type: 'array',
      items: historyItemSchema,
      description: 'pending first (newest first), then confirmed (newest first)',
    },
  },
} as const;

// ---- node ----

export const statusSchema = {
  type: 'object',
  required: [
    'network',
    'chainId',
    'height',
    'tipHash',
    'cumulativeWork',
    'bits',
    'target',
    'difficulty',
    'peers',
    'mempool',
    'orphans',
    'mining',
    'hashRate',
    'minerAddress',
  ],
  properties: {
    network: { type: 'string' },
    chainId: { type: 'integer' },
    height: { type: 'integer' },
    tipHash: hash32,
    cumulativeWork: { type: 'string', pattern: '^[0-9]+$', description: 'decimal string' },
    bits: { type: 'string', pattern: '^0x[0-9a-f]{8}$', description: "compact target of the tip's header" },
    target: hex(32, 'target of the tip'),
    difficulty: { type: 'number', description: "the network's easiest target divided by the tip's target" },
    peers: { type: 'integer' },
    mempool: { type: 'integer', description: 'pending transfers' },
    orphans: { type: 'integer' },
    mining: { type: 'boolean' },
    hashRate: { type: 'number', description: 'hashes per second while mining, else 0' },
    minerAddress: nullable(addressString),
    p2p: {
      type: ['object', 'null'],
      required: ['peerId', 'multiaddrs'],
      properties: { peerId: { type: 'string' }, multiaddrs: { type: 'array', items: { type: 'string' } } },
      description: "this node's peer id and listen multiaddrs (null when networking is off)",
    },
    eventLoop: {
      type: ['object', 'null'],
      required: ['windowSeconds', 'p50Ms', 'p99Ms', 'maxMs'],
      properties: {
        windowSeconds: { type: 'number' },
        p50Ms: { type: 'number' },
        p99Ms: { type: 'number' },
        maxMs: { type: 'number' },
      },
      description:
        "how long callbacks waited for the node's main thread over the last window, in ms (null when not measured)",
    },
  },
} as const;

export const mempoolQuerySchema = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_MEMPOOL_LIST, default: MAX_MEMPOOL_LIST } },
} as const;

export const mempoolSchema = {
  type: 'object',
  required: ['count', 'transactions'],
  properties: {
    count: { type: 'integer', description: 'all pending transfers (the list may be shorter)' },
    transactions: {
      type: 'array',
      items: transferJsonSchema,
      description: `highest fee first, ties by arrival; at most ${MAX_MEMPOOL_LIST}`,
    },
  },
} as const;

export const peersSchema = {
  type: 'array',
  description: 'connected peers',
  items: {
    type: 'object',
    required: ['peerId', 'address', 'direction', 'height', 'cumulativeWork', 'score', 'network'],
    properties: {
      peerId: { type: 'string' },
      address: { type: 'string', description: 'remote multiaddr' },
      direction: { type: 'string', enum: ['inbound', 'outbound'] },
      height: { type: ['integer', 'null'], description: 'from its last handshake' },
      cumulativeWork: { type: ['string', 'null'], description: 'decimal string, from its last handshake' },
      score: { type: 'number', description: '0 is neutral; misbehaviour lowers it, and at -100 the peer is banned' },
      network: { type: ['string', 'null'] },
    },
  },
} as const;

export const connectBodySchema = {
  type: 'object',
  required: ['address'],
  additionalProperties: false,
  properties: {
    address: { type: 'string', minLength: 8, maxLength: 512, description: 'multiaddr with /p2p/<peer id>' },
  },
} as const;

export const mineBodySchema = {
  type: 'object',
  required: ['blocks', 'address'],
  properties: {
    blocks: { type: 'integer', minimum: 1, maximum: MAX_MINE_BLOCKS },
    address: { type: 'string', description: 'bech32m address paid by the coinbases' },
  },
} as const;

export const mineResultSchema = {
  type: 'object',
  required: ['hashes', 'height'],
  properties: {
    hashes: { type: 'array', items: hash32 },
    height: { type: 'integer', description: 'the new tip height' },
  },
} as const;

// ---- block submission and operator routes ----

const hashList = { type: 'array', items: hash32 } as const;

export const submitBlockBodySchema = {
  type: 'object',
  required: ['block'],
  additionalProperties: false,
  properties: {
    block: { type: 'string', minLength: 2, description: "the block's canonical encoding, 0x-hex (docs/protocol.md)" },
  },
} as const;

export const submitBlockResultSchema = {
  type: 'object',
  required: ['hash', 'status', 'height', 'tipHash'],
  properties: {
    hash: hash32,
    status: {
      type: 'string',
      enum: ['connected', 'side', 'orphan', 'duplicate'],
      description:
        'connected: on the main chain now; side: stored on a lighter branch; orphan: parent unknown, kept for a while; duplicate: already known',
    },
    height: { type: 'integer', description: 'the tip height after the submission' },
    tipHash: hash32,
  },
} as const;

export const blockHashBodySchema = {
  type: 'object',
  required: ['hash'],
  additionalProperties: false,
  properties: { hash: { type: 'string', minLength: 66, maxLength: 66, description: 'block hash, 0x-hex (32 bytes)' } },
} as const;

export const chainChangeSchema = {
  type: 'object',
  required: ['height', 'tipHash', 'disconnected', 'connected'],
  properties: {
    height: { type: 'integer' },
    tipHash: hash32,
    disconnected: { ...hashList, description: 'blocks that left the main chain, tip first' },
    connected: { ...hashList, description: 'blocks that joined the main chain, in order' },
    cleared: { type: 'integer', description: 'reconsider only: invalid marks removed' },
    failures: {
      type: 'array',
      description: 'reconsider only: blocks that failed validation again, with their rule code',
      items: {
        type: 'object',
        required: ['hash', 'code', 'message'],
        properties: { hash: hash32, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
