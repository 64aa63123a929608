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

// ---- examples: one regtest chain, block 3 holding one transfer of 1.5 OUR ----

/**
 * Values from a real regtest node, so every example in the OpenAPI document is consistent
 * with the others (test/unit/api/openapi.test.ts validates each against its schema).
 */
export const EXAMPLE = {
  chainId: 0x4f555252,
  blockHash: '0x06d0d169dafa825848e36edb1724ba669b87278df1b742b6061088db1ca354c4',
  prevHash: '0x72f709383992031a14a145dfa9c7bf73909ca352404cd9fc1915ae2a83d938fc',
  txRoot: '0xb83def6c28d93013c4631d8aa552716b921a1e508433012b0a7c003d32adf3ba',
  signatureHash: '0x6bc2529d0402929d651753b40a6851c4d03f90d6e2c8c35dd80b5f4e4269c96e',
  txid: '0xb0c646535af53ff3674516c7312e6841c06df61484bd4d53dfb9a31643b47dd9',
  coinbaseTxid: '0xc153b34221cdeebe4f768f7eabc62d62f9aa5f15709c0947209d237bc26acdc1',
  publicKey: '0xb60ab9890c630ddd9e30656ee953f846ed0540272eecf1f2ad8540025cd3e9ae73f7467a72ce453a30ef493e23a225e1',
  signature:
    '0x8a100c98c4a4efdf8b35726779cf4ff64af747ec1b015158bbef641d54f5fc0c05a2ee8471725ea150de8384b02eae1d1' +
    '6171d16a13f8aaee38d5ebcf75df71636741c5e49e81ccf0a283002ccbc3582e190f214e1589f50597937ac4cf6b732',
  sender: 'ourreg1qrrra07cj564jr0pndhc47u2fm3yl8pqxgdypnk',
  recipient: 'ourreg1qffjg84gwksvxn67pxym4qrc9yrlellwkmuucdu',
  peerId: '12D3KooWLV4J3nUGWXTwHqkLsxMXA1Dy3nUx8JRuTqJVe8s6kybV',
  multiaddr: '/ip4/192.0.2.7/tcp/18331/p2p/12D3KooWLV4J3nUGWXTwHqkLsxMXA1Dy3nUx8JRuTqJVe8s6kybV',
} as const;

/** Block 3's canonical encoding (GET /blocks/3/raw, POST /blocks). */
export const RAW_BLOCK_EXAMPLE =
  '0x000000020000000372f709383992031a14a145dfa9c7bf73909ca352404cd9fc1915ae2a83d938fcb83def6c28d93013c4' +
  '631d8aa552716b921a1e508433012b0a7c003d32adf3ba6bc2529d0402929d651753b40a6851c4d03f90d6e2c8c35dd80b' +
  '5f4e4269c96e6b0d8b97207fffff0000000000000001004f5552520000000318c7d7fb12a6ab21bc336df15f7149dc49f3' +
  '8406000000012a05f5e800000001014f555252b60ab9890c630ddd9e30656ee953f846ed0540272eecf1f2ad8540025cd3' +
  'e9ae73f7467a72ce453a30ef493e23a225e14a6483d50eb41869ebc13137500f0520ff9ffdd60000000008f0d180000000' +
  '00000003e800000000000000008a100c98c4a4efdf8b35726779cf4ff64af747ec1b015158bbef641d54f5fc0c05a2ee84' +
  '71725ea150de8384b02eae1d16171d16a13f8aaee38d5ebcf75df71636741c5e49e81ccf0a283002ccbc3582e190f214e1' +
  '589f50597937ac4cf6b732';

/** One GET /events message (Server-Sent Events). */
export const TIP_EVENT_EXAMPLE =
  'event: tip\nid: 3\ndata: {"height":3,"hash":"' + EXAMPLE.blockHash + '","transfers":1,"timestamp":1796049815}\n\n';

export const TRANSFER_EXAMPLE = {
  type: 'transfer',
  txid: EXAMPLE.txid,
  chainId: EXAMPLE.chainId,
  senderPublicKey: EXAMPLE.publicKey,
  sender: EXAMPLE.sender,
  recipient: EXAMPLE.recipient,
  amount: '150000000',
  fee: '1000',
  nonce: 0,
} as const;
const PENDING_TRANSFER_EXAMPLE = { ...TRANSFER_EXAMPLE, signature: EXAMPLE.signature } as const;
const COINBASE_EXAMPLE = {
  type: 'coinbase',
  txid: EXAMPLE.coinbaseTxid,
  chainId: EXAMPLE.chainId,
  height: 3,
  recipient: EXAMPLE.sender,
  amount: '5000001000',
} as const;

// ---- building blocks ----

/** A field: its schema with what it means and an example value (every field has both). */
export const field = <T extends object, E>(schema: T, description: string, example: E) =>
  ({ ...schema, description, examples: [example] }) as const;

export const hex = (bytes: number, description: string, example: string) =>
  field(
    { type: 'string', pattern: `^0x[0-9a-f]{${bytes * 2}}$` } as const,
    `${description} (0x-hex, ${bytes} bytes)`,
    example,
  );

export const hash32 = hex(32, 'hash', EXAMPLE.blockHash);
export const blockHash32 = hex(32, 'block hash', EXAMPLE.blockHash);
export const txid32 = hex(32, 'transaction id', EXAMPLE.txid);
export const addressString = field({ type: 'string' } as const, 'bech32m address of this network', EXAMPLE.recipient);
export const amountString = field(
  { type: 'string', pattern: '^(0|[1-9][0-9]*)$' } as const,
  'decimal string of base units (1 OUR = 100000000)',
  '150000000',
);
export const integer = (description: string, example: number) =>
  field({ type: 'integer' } as const, description, example);
export const nullable = <T extends { type: string }>(s: T) => ({ ...s, type: [s.type, 'null'] }) as const;
export const nullableInt = (description: string, example: number) =>
  field({ type: ['integer', 'null'] } as const, description, example);
const workString = field(
  { type: 'string', pattern: '^[0-9]+$' } as const,
  'cumulative proof of work: expected hashes from genesis to this block, a decimal string',
  '8',
);

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      description: 'what went wrong',
      properties: {
        code: field(
          { type: 'string' } as const,
          'stable, documented error code (branch on it, never on message)',
          'MEMPOOL_INSUFFICIENT_BALANCE',
        ),
        message: field(
          { type: 'string' } as const,
          'one line for a person, naming the problem',
          'sender has 0, its pending transfers with this one need 150001000',
        ),
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

const transferType = field({ type: 'string', enum: ['transfer'] } as const, 'always "transfer"', 'transfer');
const chainIdField = field(
  { type: 'integer' } as const,
  'the network chain id (regtest 0x4f555252, devnet 0x4f555244), signed over',
  EXAMPLE.chainId,
);
const nonceField = integer("the sender's transfer count before this one: 0, 1, 2, ... in order", 0);

export const transferJsonSchema = {
  type: 'object',
  description:
    'A transfer. `signature` appears only where the individual signature is known (mempool); in blocks it is aggregated.',
  required: ['type', 'txid', 'chainId', 'senderPublicKey', 'sender', 'recipient', 'amount', 'fee', 'nonce'],
  properties: {
    type: transferType,
    txid: txid32,
    chainId: chainIdField,
    senderPublicKey: hex(48, "the sender's compressed BLS12-381 G1 public key", EXAMPLE.publicKey),
    sender: field(addressString, "the sender's address (from its public key)", EXAMPLE.sender),
    recipient: field(addressString, "the recipient's address", EXAMPLE.recipient),
    amount: field(amountString, 'amount sent, base units', '150000000'),
    fee: field(amountString, "fee to the block's miner, base units", '1000'),
    nonce: nonceField,
    signature: hex(96, "the sender's BLS12-381 G2 signature", EXAMPLE.signature),
  },
  examples: [PENDING_TRANSFER_EXAMPLE],
} as const;

export const coinbaseJsonSchema = {
  type: 'object',
  description: "A block's first transaction: the subsidy plus the block's fees, to the miner",
  required: ['type', 'txid', 'chainId', 'height', 'recipient', 'amount'],
  properties: {
    type: field({ type: 'string', enum: ['coinbase'] } as const, 'always "coinbase"', 'coinbase'),
    txid: field(txid32, 'transaction id of the coinbase (0x-hex, 32 bytes)', EXAMPLE.coinbaseTxid),
    chainId: chainIdField,
    height: integer('height of its block', 3),
    recipient: field(addressString, "the miner's address", EXAMPLE.sender),
    amount: field(amountString, 'subsidy plus fees, base units', '5000001000'),
  },
  examples: [COINBASE_EXAMPLE],
} as const;

export const anyTransactionSchema = {
  anyOf: [transferJsonSchema, coinbaseJsonSchema],
  description: 'a transfer, or a coinbase (by `type`)',
  examples: [TRANSFER_EXAMPLE],
} as const;

/**
 * A signed transfer as clients submit it. Types are enforced strictly (no coercion); the
 * contents (hex, lengths, address checksum and network, amount range) are checked by the
 * protocol parser, whose error codes are more precise than a pattern mismatch.
 * Read-only fields of the transaction JSON (type, txid, sender) may be present and are ignored.
 */
export const signedTransferInputSchema = {
  type: 'object',
  description: 'a signed transfer; the fields are signed as docs/protocol.md 4.3 encodes them',
  required: ['chainId', 'senderPublicKey', 'recipient', 'amount', 'fee', 'nonce', 'signature'],
  properties: {
    chainId: field(
      { type: 'integer', minimum: 0, maximum: 0xffff_ffff } as const,
      'the network chain id (regtest 0x4f555252, devnet 0x4f555244)',
      EXAMPLE.chainId,
    ),
    senderPublicKey: field(
      { type: 'string' } as const,
      '0x-hex, 48 bytes: compressed BLS12-381 G1 public key',
      EXAMPLE.publicKey,
    ),
    recipient: field({ type: 'string' } as const, 'bech32m address of this network', EXAMPLE.recipient),
    amount: field({ type: 'string' } as const, 'decimal string of base units, at least 1', '150000000'),
    fee: field({ type: 'string' } as const, 'decimal string of base units (at least the minimum relay fee)', '1000'),
    nonce: field(
      { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const,
      "the sender's next nonce (GET /addresses/:address nextNonce)",
      0,
    ),
    signature: field(
      { type: 'string' } as const,
      '0x-hex, 96 bytes: BLS signature of the signing message (docs/protocol.md 4.3)',
      EXAMPLE.signature,
    ),
  },
  examples: [
    {
      chainId: EXAMPLE.chainId,
      senderPublicKey: EXAMPLE.publicKey,
      recipient: EXAMPLE.recipient,
      amount: '150000000',
      fee: '1000',
      nonce: 0,
      signature: EXAMPLE.signature,
    },
  ],
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
  description: 'one transfer admitted to the mempool',
  required: ['txid'],
  properties: {
    txid: txid32,
    replaced: field(
      txid32,
      'txid of the pending transfer this one replaced (higher fee, same nonce); absent otherwise',
      '0x3c0b4f8d0a3e19ad2f1b3b3e4f29b2e1f0c9d7a6b5c4d3e2f1a0b9c8d7e6f5a4',
    ),
  },
  examples: [{ txid: EXAMPLE.txid }],
} as const;

export const batchResultSchema = {
  type: 'array',
  description: 'one result per submitted item, in order',
  items: {
    type: 'object',
    required: ['index', 'accepted', 'txid'],
    properties: {
      index: integer('position of the item in the submitted array', 0),
      accepted: field({ type: 'boolean' } as const, 'whether the mempool admitted it', true),
      txid: field(nullable(txid32), 'its txid; null when the item could not be parsed', EXAMPLE.txid),
      replaced: field(txid32, 'txid of the pending transfer it replaced, if any', EXAMPLE.txid),
      error: { ...errorSchema.properties.error, description: 'why it was refused (absent when accepted)' },
    },
  },
  examples: [
    [
      { index: 0, accepted: true, txid: EXAMPLE.txid },
      {
        index: 1,
        accepted: false,
        txid: null,
        error: { code: 'ADDRESS_BAD_CHECKSUM', message: 'recipient: checksum does not match (a mistyped character?)' },
      },
    ],
  ],
} as const;

export const txidParamsSchema = {
  type: 'object',
  required: ['txid'],
  properties: {
    txid: field({ type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const, 'txid (0x-hex, 32 bytes)', EXAMPLE.txid),
  },
} as const;

export const txStatusSchema = field(
  { type: 'string', enum: ['pending', 'confirmed'] } as const,
  'pending: in the mempool; confirmed: in a main-chain block',
  'confirmed',
);

const confirmationsField = integer('blocks on top of its block, counting it (0 while pending)', 1);
const positionField = nullableInt(
  'its place in the block: 0 is the coinbase, 1.. the transfers in order; null while pending',
  1,
);

const CONFIRMED_EXAMPLE = {
  status: 'confirmed',
  transaction: TRANSFER_EXAMPLE,
  blockHash: EXAMPLE.blockHash,
  height: 3,
  confirmations: 1,
  position: 1,
  firstSeen: 1796049801,
} as const;

const firstSeenField = nullableInt(
  'Unix seconds this node first saw it: pending, or in a block (null: before its last restart, or long ago)',
  1796049801,
);

export const transactionInfoSchema = {
  type: 'object',
  required: ['status', 'transaction', 'blockHash', 'height', 'confirmations', 'position', 'firstSeen'],
  properties: {
    status: txStatusSchema,
    transaction: anyTransactionSchema,
    blockHash: field(nullable(blockHash32), 'the block holding it; null while pending', EXAMPLE.blockHash),
    height: nullableInt("its block's height; null while pending", 3),
    confirmations: confirmationsField,
    position: positionField,
    firstSeen: firstSeenField,
  },
  examples: [CONFIRMED_EXAMPLE],
} as const;

// ---- blocks ----

const aggregateSignatureField = hex(
  96,
  'the ONE aggregate BLS signature of all transfers (infinity, 0xc0 then zeros, when there are none)',
  EXAMPLE.signature,
);
const heightField = integer('height in the chain (genesis is 0)', 3);
const sizeField = integer('bytes of the canonical encoding', 350);
const timestampField = integer('Unix seconds, set by the miner', 1796049815);

const BLOCK_SUMMARY_EXAMPLE = {
  hash: EXAMPLE.blockHash,
  height: 3,
  prevHash: EXAMPLE.prevHash,
  timestamp: 1796049815,
  transfers: 1,
  size: 350,
  aggregateSignature: EXAMPLE.signature,
} as const;

export const blockSummarySchema = {
  type: 'object',
  required: ['hash', 'height', 'prevHash', 'timestamp', 'transfers', 'size', 'aggregateSignature'],
  properties: {
    hash: blockHash32,
    height: heightField,
    prevHash: field(blockHash32, "the parent block's hash (0x-hex, 32 bytes)", EXAMPLE.prevHash),
    timestamp: timestampField,
    transfers: integer('number of transfers (the coinbase not counted)', 1),
    size: sizeField,
    aggregateSignature: aggregateSignatureField,
  },
  examples: [BLOCK_SUMMARY_EXAMPLE],
} as const;

export const blockPageQuerySchema = {
  type: 'object',
  properties: {
    from: field(
      { type: 'integer', minimum: 0 } as const,
      'first height listed (default: the tip when newest first, 0 when oldest first)',
      3,
    ),
    limit: field(
      { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE } as const,
      `blocks on the page (at most ${MAX_PAGE})`,
      20,
    ),
    order: field(
      { type: 'string', enum: ['desc', 'asc'], default: 'desc' } as const,
      'desc: newest first (default); asc: oldest first',
      'desc',
    ),
  },
} as const;

export const blockPageSchema = {
  type: 'object',
  required: ['tipHeight', 'blocks', 'next'],
  properties: {
    tipHeight: integer('height of the main chain tip when the page was read', 3),
    blocks: { type: 'array', items: blockSummarySchema, description: 'main-chain blocks, in the order asked' },
    next: nullableInt('the `from` of the next page, null after the last', 2),
  },
  examples: [{ tipHeight: 3, blocks: [BLOCK_SUMMARY_EXAMPLE], next: 2 }],
} as const;

export const blockParamsSchema = {
  type: 'object',
  required: ['hashOrHeight'],
  properties: {
    hashOrHeight: field(
      { type: 'string', pattern: '^(0x[0-9a-fA-F]{64}|0|[1-9][0-9]{0,9})$' } as const,
      'a block hash (0x-hex, 32 bytes; any stored block) or a decimal height (main chain)',
      '3',
    ),
  },
} as const;

const HEADER_EXAMPLE = {
  version: 2,
  height: 3,
  prevHash: EXAMPLE.prevHash,
  txRoot: EXAMPLE.txRoot,
  signatureHash: EXAMPLE.signatureHash,
  timestamp: 1796049815,
  bits: '0x207fffff',
  nonce: '1',
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
    'stats',
  ],
  properties: {
    hash: blockHash32,
    header: {
      type: 'object',
      description: 'the header the proof of work is over (docs/protocol.md 5)',
      required: ['version', 'height', 'prevHash', 'txRoot', 'signatureHash', 'timestamp', 'bits', 'nonce'],
      properties: {
        version: integer('block format version (2: protocol v2)', 2),
        height: heightField,
        prevHash: field(blockHash32, "the parent block's hash (0x-hex, 32 bytes)", EXAMPLE.prevHash),
        txRoot: hex(32, 'Merkle root of the txids, coinbase first', EXAMPLE.txRoot),
        signatureHash: hex(32, 'hash of the aggregate signature, committing the header to it', EXAMPLE.signatureHash),
        timestamp: timestampField,
        bits: field(
          { type: 'string', pattern: '^0x[0-9a-f]{8}$' } as const,
          'compact target (like Bitcoin nBits), 0x-hex',
          '0x207fffff',
        ),
        nonce: field(
          { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } as const,
          'u64 proof-of-work nonce as a decimal string (a JSON number cannot hold every value)',
          '1',
        ),
      },
      examples: [HEADER_EXAMPLE],
    },
    coinbase: coinbaseJsonSchema,
    transactions: {
      type: 'array',
      items: transferJsonSchema,
      description: 'the transfers, in block order (without individual signatures: see aggregateSignature)',
    },
    aggregateSignature: aggregateSignatureField,
    size: sizeField,
    height: heightField,
    confirmations: integer('blocks on top of it on the main chain, counting it; 0 off the main chain', 1),
    onMainChain: field({ type: 'boolean' } as const, 'whether it is on the main chain', true),
    cumulativeWork: workString,
    stats: {
      type: 'object',
      description: 'what the block moved and earned',
      required: ['totalFees', 'reward', 'feesClaimed', 'valueMoved', 'signatureBytesSaved'],
      properties: {
        totalFees: field(amountString, "sum of its transfers' fees, base units", '1000'),
        reward: field(
          amountString,
          'the part of the coinbase that is new coins (the subsidy), base units',
          '5000000000',
        ),
        feesClaimed: field(amountString, 'the rest of the coinbase: fees the miner claimed, base units', '1000'),
        valueMoved: field(amountString, "sum of its transfers' amounts, base units", '150000000'),
        signatureBytesSaved: integer(
          'bytes the one aggregate signature saves: 96 a transfer minus its own 96 (0 for 0 or 1 transfer)',
          0,
        ),
      },
    },
  },
  examples: [
    {
      stats: {
        totalFees: '1000',
        reward: '5000000000',
        feesClaimed: '1000',
        valueMoved: '150000000',
        signatureBytesSaved: 0,
      },
      hash: EXAMPLE.blockHash,
      header: HEADER_EXAMPLE,
      coinbase: COINBASE_EXAMPLE,
      transactions: [TRANSFER_EXAMPLE],
      aggregateSignature: EXAMPLE.signature,
      size: 350,
      height: 3,
      confirmations: 1,
      onMainChain: true,
      cumulativeWork: '8',
    },
  ],
} as const;

export const rawBlockSchema = {
  type: 'object',
  required: ['hash', 'block'],
  properties: {
    hash: blockHash32,
    block: field(
      { type: 'string', pattern: '^0x([0-9a-f]{2})+$' } as const,
      "the block's canonical encoding, 0x-hex (docs/protocol.md): POST /blocks takes it back as it is",
      RAW_BLOCK_EXAMPLE,
    ),
  },
  examples: [{ hash: EXAMPLE.blockHash, block: RAW_BLOCK_EXAMPLE }],
} as const;

// ---- addresses ----

export const addressParamsSchema = {
  type: 'object',
  required: ['address'],
  properties: { address: addressString },
} as const;

export const addressInfoSchema = {
  type: 'object',
  required: ['address', 'balance', 'pendingBalance', 'nonce', 'nextNonce'],
  properties: {
    address: addressString,
    balance: field(amountString, 'confirmed balance, base units', '150000000'),
    pendingBalance: field(
      amountString,
      'confirmed balance minus pending outgoing amounts and fees, plus pending incoming amounts',
      '150000000',
    ),
    nonce: integer('confirmed nonce (transfers sent and mined)', 0),
    nextNonce: integer('the nonce for the next transfer, counting pending ones', 0),
  },
  examples: [{ address: EXAMPLE.recipient, balance: '150000000', pendingBalance: '150000000', nonce: 0, nextNonce: 0 }],
} as const;

export const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: field(
      { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE } as const,
      `items on the page (at most ${MAX_PAGE})`,
      20,
    ),
    offset: field(
      { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 } as const,
      'items skipped (the next page starts at offset + limit)',
      0,
    ),
  },
} as const;

export const historyItemSchema = {
  type: 'object',
  required: [
    'status',
    'txid',
    'direction',
    'transaction',
    'height',
    'blockHash',
    'confirmations',
    'position',
    'firstSeen',
  ],
  properties: {
    status: txStatusSchema,
    txid: txid32,
    direction: field(
      { type: 'string', enum: ['in', 'out', 'self'] } as const,
      'in: to this address; out: from it; self: both',
      'in',
    ),
    transaction: anyTransactionSchema,
    height: nullableInt("its block's height; null while pending", 3),
    blockHash: field(nullable(blockHash32), 'the block holding it; null while pending', EXAMPLE.blockHash),
    confirmations: confirmationsField,
    position: positionField,
    firstSeen: firstSeenField,
  },
} as const;

export const historySchema = {
  type: 'object',
  required: ['address', 'pending', 'transactions'],
  properties: {
    address: addressString,
    pending: integer('pending transactions of this address (listed first)', 0),
    transactions: {
      type: 'array',
      items: historyItemSchema,
      description: 'pending first (newest first), then confirmed (newest first)',
    },
  },
  examples: [
    {
      address: EXAMPLE.recipient,
      pending: 0,
      transactions: [{ ...CONFIRMED_EXAMPLE, txid: EXAMPLE.txid, direction: 'in' }],
    },
  ],
} as const;

// ---- node ----

const EVENT_LOOP_EXAMPLE = { windowSeconds: 10, p50Ms: 0.4, p99Ms: 3.2, maxMs: 12.5 } as const;

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
    'sync',
  ],
  properties: {
    network: field({ type: 'string' } as const, 'network name: devnet or regtest', 'regtest'),
    chainId: chainIdField,
    height: integer('height of the main chain tip', 3),
    tipHash: field(blockHash32, 'hash of the main chain tip (0x-hex, 32 bytes)', EXAMPLE.blockHash),
    cumulativeWork: workString,
    bits: field(
      { type: 'string', pattern: '^0x[0-9a-f]{8}$' } as const,
      "compact target of the tip's header",
      '0x207fffff',
    ),
    target: hex(
      32,
      'target of the tip: a block hash must be at most this',
      '0x7fffff0000000000000000000000000000000000000000000000000000000000',
    ),
    difficulty: field(
      { type: 'number' } as const,
      "the network's easiest target divided by the tip's target",
      1.0000001192093038,
    ),
    peers: integer('connected peers', 0),
    mempool: integer('pending transfers', 1),
    orphans: integer('blocks waiting in the orphan pool for their parent', 0),
    mining: field({ type: 'boolean' } as const, 'whether the node mines in the background (--mine)', false),
    hashRate: field({ type: 'number' } as const, 'hashes per second while mining, else 0', 0),
    minerAddress: field(nullable(addressString), 'where mined coins go; null when the node cannot mine', null),
    p2p: {
      type: ['object', 'null'],
      required: ['peerId', 'multiaddrs'],
      properties: {
        peerId: field({ type: 'string' } as const, "this node's libp2p peer id", EXAMPLE.peerId),
        multiaddrs: field(
          { type: 'array', items: { type: 'string' } } as const,
          'its listen multiaddrs, with /p2p/<peer id>',
          [EXAMPLE.multiaddr],
        ),
      },
      description: "this node's peer id and listen multiaddrs (null when networking is off)",
      examples: [{ peerId: EXAMPLE.peerId, multiaddrs: [EXAMPLE.multiaddr] }],
    },
    eventLoop: {
      type: ['object', 'null'],
      required: ['windowSeconds', 'p50Ms', 'p99Ms', 'maxMs'],
      properties: {
        windowSeconds: field({ type: 'number' } as const, 'length of the measuring window', 10),
        p50Ms: field({ type: 'number' } as const, 'median wait of a callback, ms', 0.4),
        p99Ms: field({ type: 'number' } as const, '99th percentile wait, ms', 3.2),
        maxMs: field({ type: 'number' } as const, 'longest wait, ms', 12.5),
      },
      description:
        "how long callbacks waited for the node's main thread over the last window, in ms (null when not measured)",
      examples: [EVENT_LOOP_EXAMPLE],
    },
    sync: {
      type: 'object',
      required: ['syncing', 'targetHeight', 'height', 'blocksPerSecond', 'etaSeconds'],
      properties: {
        syncing: { type: 'boolean', description: 'catching up from a peer with more work now', examples: [false] },
        targetHeight: {
          type: ['integer', 'null'],
          description: 'the height the sync aims at (null when not syncing)',
          examples: [null],
        },
        height: { type: 'integer', description: "this node's tip height", examples: [3] },
        blocksPerSecond: {
          type: 'number',
          description: 'blocks imported a second since the sync began',
          examples: [0],
        },
        etaSeconds: {
          type: ['integer', 'null'],
          description: 'seconds left at that rate (null: unknown)',
          examples: [null],
        },
      },
      description: 'catching up from peers (headers first, then blocks)',
    },
  },
  examples: [
    {
      network: 'regtest',
      chainId: EXAMPLE.chainId,
      height: 3,
      tipHash: EXAMPLE.blockHash,
      cumulativeWork: '8',
      bits: '0x207fffff',
      target: '0x7fffff0000000000000000000000000000000000000000000000000000000000',
      difficulty: 1.0000001192093038,
      peers: 0,
      mempool: 1,
      orphans: 0,
      mining: false,
      hashRate: 0,
      minerAddress: null,
      p2p: { peerId: EXAMPLE.peerId, multiaddrs: [EXAMPLE.multiaddr] },
      eventLoop: EVENT_LOOP_EXAMPLE,
      sync: { syncing: false, targetHeight: null, height: 3, blocksPerSecond: 0, etaSeconds: null },
    },
  ],
} as const;

export const mempoolQuerySchema = {
  type: 'object',
  properties: {
    limit: field(
      { type: 'integer', minimum: 1, maximum: MAX_MEMPOOL_LIST, default: MAX_MEMPOOL_LIST } as const,
      `transfers listed (at most ${MAX_MEMPOOL_LIST})`,
      100,
    ),
  },
} as const;

export const mempoolSchema = {
  type: 'object',
  required: ['count', 'transactions'],
  properties: {
    count: integer('all pending transfers (the list may be shorter)', 1),
    transactions: {
      type: 'array',
      items: transferJsonSchema,
      description: `highest fee first, ties by arrival; at most ${MAX_MEMPOOL_LIST}`,
    },
  },
  examples: [{ count: 1, transactions: [PENDING_TRANSFER_EXAMPLE] }],
} as const;

export const peersSchema = {
  type: 'array',
  description: 'connected peers',
  items: {
    type: 'object',
    required: ['peerId', 'address', 'direction', 'height', 'cumulativeWork', 'score', 'network'],
    properties: {
      peerId: field({ type: 'string' } as const, "the peer's libp2p peer id", EXAMPLE.peerId),
      address: field({ type: 'string' } as const, 'remote multiaddr', '/ip4/192.0.2.7/tcp/18331'),
      direction: field(
        { type: 'string', enum: ['inbound', 'outbound'] } as const,
        'inbound: it dialed us; outbound: we dialed it',
        'outbound',
      ),
      height: field({ type: ['integer', 'null'] } as const, 'its tip height, from its last handshake', 3),
      cumulativeWork: field(
        { type: ['string', 'null'] } as const,
        "its tip's cumulative work, a decimal string, from its last handshake",
        '8',
      ),
      score: field(
        { type: 'number' } as const,
        '0 is neutral; misbehaviour lowers it, and at -100 the peer is banned',
        0,
      ),
      network: field({ type: ['string', 'null'] } as const, 'its network name, from its handshake', 'regtest'),
    },
  },
  examples: [
    [
      {
        peerId: EXAMPLE.peerId,
        address: '/ip4/192.0.2.7/tcp/18331',
        direction: 'outbound',
        height: 3,
        cumulativeWork: '8',
        score: 0,
        network: 'regtest',
      },
    ],
  ],
} as const;

export const connectBodySchema = {
  type: 'object',
  required: ['address'],
  additionalProperties: false,
  properties: {
    address: field(
      { type: 'string', minLength: 8, maxLength: 512 } as const,
      'multiaddr with /p2p/<peer id>',
      EXAMPLE.multiaddr,
    ),
  },
} as const;

export const connectResultSchema = {
  type: 'object',
  required: ['connected'],
  properties: {
    connected: field({ type: 'string' } as const, 'the multiaddr now connected', EXAMPLE.multiaddr),
  },
  examples: [{ connected: EXAMPLE.multiaddr }],
} as const;

export const mineBodySchema = {
  type: 'object',
  required: ['blocks', 'address'],
  properties: {
    blocks: field(
      { type: 'integer', minimum: 1, maximum: MAX_MINE_BLOCKS } as const,
      `blocks to mine now (at most ${MAX_MINE_BLOCKS})`,
      3,
    ),
    address: field({ type: 'string' } as const, 'bech32m address paid by the coinbases', EXAMPLE.sender),
  },
} as const;

export const mineResultSchema = {
  type: 'object',
  required: ['hashes', 'height'],
  properties: {
    hashes: { type: 'array', items: blockHash32, description: 'the mined blocks, in order' },
    height: integer('the new tip height', 3),
  },
  examples: [{ hashes: [EXAMPLE.blockHash], height: 3 }],
} as const;

// ---- block submission and operator routes ----

export const submitBlockBodySchema = {
  type: 'object',
  required: ['block'],
  additionalProperties: false,
  properties: {
    block: field(
      { type: 'string', minLength: 2 } as const,
      "the block's canonical encoding, 0x-hex (docs/protocol.md; GET /blocks/:hashOrHeight/raw gives it)",
      RAW_BLOCK_EXAMPLE,
    ),
  },
} as const;

export const submitBlockResultSchema = {
  type: 'object',
  required: ['hash', 'status', 'height', 'tipHash'],
  properties: {
    hash: field(blockHash32, 'hash of the submitted block (0x-hex, 32 bytes)', EXAMPLE.blockHash),
    status: field(
      { type: 'string', enum: ['connected', 'side', 'orphan', 'duplicate'] } as const,
      'connected: on the main chain now (and relayed); side: valid so far, stored on a branch with no more work ' +
        'than the main chain; orphan: parent unknown, kept a while for it; duplicate: already known. ' +
        'A block that breaks a rule is an error (400 with its rule code) instead',
      'connected',
    ),
    height: integer('the tip height after the submission', 3),
    tipHash: field(blockHash32, 'the tip after the submission (0x-hex, 32 bytes)', EXAMPLE.blockHash),
  },
  examples: [{ hash: EXAMPLE.blockHash, status: 'connected', height: 3, tipHash: EXAMPLE.blockHash }],
} as const;

export const blockHashBodySchema = {
  type: 'object',
  required: ['hash'],
  additionalProperties: false,
  properties: {
    hash: field(
      { type: 'string', minLength: 66, maxLength: 66 } as const,
      'block hash, 0x-hex (32 bytes)',
      EXAMPLE.blockHash,
    ),
  },
} as const;

export const chainChangeSchema = {
  type: 'object',
  required: ['height', 'tipHash', 'disconnected', 'connected'],
  properties: {
    height: integer('the tip height now', 2),
    tipHash: field(blockHash32, 'the tip now (0x-hex, 32 bytes)', EXAMPLE.prevHash),
    disconnected: field({ type: 'array', items: blockHash32 } as const, 'blocks that left the main chain, tip first', [
      EXAMPLE.blockHash,
    ]),
    connected: field({ type: 'array', items: blockHash32 } as const, 'blocks that joined the main chain, in order', []),
    cleared: integer('reconsider only: invalid marks removed', 1),
    failures: {
      type: 'array',
      description: 'reconsider only: blocks that failed validation again, with their rule code',
      items: {
        type: 'object',
        required: ['hash', 'code', 'message'],
        properties: {
          hash: blockHash32,
          code: field({ type: 'string' } as const, 'the rule it breaks', 'BLOCK_BAD_AGGREGATE_SIGNATURE'),
          message: field({ type: 'string' } as const, 'why, for a person', 'the aggregate signature does not verify'),
        },
      },
    },
  },
  examples: [{ height: 2, tipHash: EXAMPLE.prevHash, disconnected: [EXAMPLE.blockHash], connected: [] }],
} as const;

// ---- light client: headers and Merkle proofs ----

/** Headers GET /headers answers at most, per request (the p2p `headers` message's limit too). */
export const MAX_HEADERS_PER_REQUEST = 2000;

export const headersQuerySchema = {
  type: 'object',
  required: ['from'],
  properties: {
    from: field({ type: 'integer', minimum: 0, maximum: 0xffff_ffff } as const, 'height of the first header', 1),
    count: field(
      { type: 'integer', minimum: 1, maximum: MAX_HEADERS_PER_REQUEST, default: MAX_HEADERS_PER_REQUEST } as const,
      `headers wanted, 1..${MAX_HEADERS_PER_REQUEST}; fewer come back at the tip`,
      2000,
    ),
  },
} as const;

const MERKLE_SIBLING_EXAMPLE = '0xf9fc072d255aa47b89061eacf398cb9c4eff54e1576673369818d2809d38da19';

export const txProofSchema = {
  type: 'object',
  required: ['txid', 'blockHash', 'height', 'confirmations', 'txRoot', 'index', 'leafCount', 'siblings', 'proof'],
  properties: {
    txid: txid32,
    blockHash: field(blockHash32, 'the main-chain block holding it', EXAMPLE.blockHash),
    height: integer("its block's height", 3),
    confirmations: confirmationsField,
    txRoot: hex(32, "the block header's txRoot (a light client uses its own verified header's)", EXAMPLE.txRoot),
    index: integer('its leaf: 0 is the coinbase, 1.. the transfers in block order', 1),
    leafCount: integer("leaves in the block's tree: its transactions, coinbase included", 2),
    siblings: field(
      { type: 'array', items: hex(32, 'sibling hash', MERKLE_SIBLING_EXAMPLE) } as const,
      'sibling hashes on the way up, leaf level first',
      [MERKLE_SIBLING_EXAMPLE],
    ),
    proof: field(
      { type: 'string', pattern: '^0x([0-9a-f]{2})+$' } as const,
      'the proof encoded (docs/protocol.md 5.5): leafCount u32 | index u32 | siblings, 0x-hex',
      '0x0000000200000001' + MERKLE_SIBLING_EXAMPLE.slice(2),
    ),
  },
  examples: [
    {
      txid: EXAMPLE.txid,
      blockHash: EXAMPLE.blockHash,
      height: 3,
      confirmations: 1,
      txRoot: EXAMPLE.txRoot,
      index: 1,
      leafCount: 2,
      siblings: [MERKLE_SIBLING_EXAMPLE],
      proof: '0x0000000200000001' + MERKLE_SIBLING_EXAMPLE.slice(2),
    },
  ],
} as const;
