/**
 * Transactions: POST /api/v1/transactions (one signed transfer, or a batch of up to 1000)
 * and GET /api/v1/transactions/:txid (pending in the mempool, or confirmed on the main chain),
 * and GET /api/v1/transactions/:txid/proof (a confirmed one's Merkle inclusion proof, for light
 * clients: docs/protocol.md 5.5).
 *
 * A single refused transfer answers with the status of its error code (see errors.ts); a
 * batch always answers 202 with one result per item, in order, so one bad item never
 * costs the others their place.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { fromHex, toHex } from '../../protocol/bytes.js';
import { OurCoinError } from '../../errors.js';
import { MEMPOOL_VERDICTS, MempoolErrorCode } from '../../mempool/interface.js';
import { blockTxids } from '../../protocol/block.js';
import { buildMerkleProof, encodeMerkleProof } from '../../protocol/merkleProof.js';
import { signedTransferFromJson } from '../../protocol/transaction.js';
import type { SignedTransfer } from '../../protocol/transaction.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import {
  batchResultSchema,
  responses,
  submitAcceptedSchema,
  submitBodySchema,
  transactionInfoSchema,
  txProofSchema,
  txidParamsSchema,
} from '../schemas.js';
import { strictValidator } from '../strictBody.js';
import { confirmationsAt, transactionAt, transactionToJson } from '../views.js';
import type { SubmitAccepted, BatchItemResult, TransactionInfo, TxProof } from '../json.js';

type Parsed = { ok: true; stx: SignedTransfer } | { ok: false; error: OurCoinError };

function parseItem(ctx: ApiContext, item: unknown): Parsed {
  try {
    return { ok: true, stx: signedTransferFromJson(item, ctx.network) };
  } catch (err) {
    if (err instanceof OurCoinError) return { ok: false, error: err };
    throw err;
  }
}

async function submitBatch(ctx: ApiContext, items: readonly unknown[], source: string): Promise<BatchItemResult[]> {
  const parsed = items.map((item) => parseItem(ctx, item));
  const valid = parsed.flatMap((p) => (p.ok ? [p.stx] : []));
  const admitted = valid.length > 0 ? await ctx.pool.submit(valid, { source }) : [];
  let next = 0;
  return parsed.map((p, index): BatchItemResult => {
    if (!p.ok) return { index, accepted: false, txid: null, error: { code: p.error.code, message: p.error.message } };
    const r = admitted[next++]!;
    if (!r.accepted)
      return { index, accepted: false, txid: toHex(r.txid), error: { code: r.error.code, message: r.error.message } };
    return r.replaced
      ? { index, accepted: true, txid: toHex(r.txid), replaced: toHex(r.replaced) }
      : { index, accepted: true, txid: toHex(r.txid) };
  });
}

async function submitOne(ctx: ApiContext, item: unknown, source: string): Promise<SubmitAccepted> {
  const stx = signedTransferFromJson(item, ctx.network);
  const [r] = await ctx.pool.submit([stx], { source });
  if (!r) throw new Error('the mempool returned no result');
  if (!r.accepted) throw r.error;
  return r.replaced ? { txid: toHex(r.txid), replaced: toHex(r.replaced) } : { txid: toHex(r.txid) };
}

/** Route options and handler of a transaction submission (shared with the legacy POST /txion). */
export function submitRoute(
  ctx: ApiContext,
  doc: { summary: string; tags: string[]; deprecated?: boolean },
): {
  options: RouteShorthandOptions;
  handler: (
    request: FastifyRequest<{ Body: unknown }>,
    reply: FastifyReply,
  ) => Promise<SubmitAccepted | BatchItemResult[]>;
} {
  return {
    options: {
      schema: {
        ...doc,
        description:
          'Submit one signed transfer (202 { txid } or an error naming the rule) or an array of up to 1000 ' +
          '(202 with one result per item). Extra read-only fields of the transaction JSON (type, txid, sender) are ignored.',
        body: submitBodySchema,
        response: responses(
          {
            202: {
              anyOf: [submitAcceptedSchema, batchResultSchema],
              examples: [...submitAcceptedSchema.examples, ...batchResultSchema.examples],
            },
          },
          [400, 409, 413, 415, 503],
        ),
      },
      // Bodies are checked without type coercion (see strictBody.ts).
      validatorCompiler: ({ schema }) => strictValidator(schema),
      // Before the body is read: a client with its share already waiting costs no parsing
      // (429 MEMPOOL_BUSY with Retry-After, see errors.ts).
      onRequest: (request, _reply, done) => {
        if (ctx.admission.admits(request.ip)) done();
        else
          done(
            new OurCoinError(
              MempoolErrorCode.busy,
              'too many of your transfers are waiting for their signature check; retry later',
              MEMPOOL_VERDICTS[MempoolErrorCode.busy],
            ),
          );
      },
    },
    handler: async (request, reply) => {
      const body = request.body;
      // Every transfer costs 1 against the client's rate limit; the request itself paid the first.
      if (Array.isArray(body)) ctx.chargeRequest(request, body.length - 1);
      // The client's IP is its source: its transfers wait in their own queue, within a bound.
      const result = Array.isArray(body)
        ? await submitBatch(ctx, body, request.ip)
        : await submitOne(ctx, body, request.ip);
      void reply.code(202);
      return result;
    },
  };
}

function transactionInfo(ctx: ApiContext, txid: Uint8Array): TransactionInfo {
  const pending = ctx.pool.get(txid);
  if (pending) {
    return {
      status: 'pending',
      transaction: transactionToJson(pending.tx, ctx.network, pending.signature),
      blockHash: null,
      height: null,
      confirmations: 0,
      position: null,
      firstSeen: ctx.transfers.firstSeen(txid) ?? null,
    };
  }
  const loc = ctx.chain.getTxLocation(txid);
  const block = loc && ctx.chain.getBlock(loc.blockHash);
  const tx = loc && block && transactionAt(block, loc.position);
  if (!loc || !tx)
    throw new ApiError(404, ApiErrorCode.txNotFound, `no transaction ${toHex(txid)} in the mempool or the main chain`);
  return {
    status: 'confirmed',
    transaction: transactionToJson(tx, ctx.network),
    blockHash: toHex(loc.blockHash),
    height: loc.height,
    confirmations: confirmationsAt(loc.height, ctx.chain.tip.height),
    position: loc.position,
    firstSeen: ctx.transfers.firstSeen(txid) ?? null,
  };
}

/** A confirmed transaction's inclusion proof in its main-chain block; 404 while pending or unknown. */
function transactionProof(ctx: ApiContext, txid: Uint8Array): TxProof {
  const loc = ctx.chain.getTxLocation(txid);
  const block = loc && ctx.chain.getBlock(loc.blockHash);
  if (!loc || !block) {
    if (ctx.pool.get(txid))
      throw new ApiError(
        404,
        ApiErrorCode.txNotConfirmed,
        `transaction ${toHex(txid)} is pending: no block holds it yet`,
      );
    throw new ApiError(404, ApiErrorCode.txNotFound, `no transaction ${toHex(txid)} in the main chain`);
  }
  const proof = buildMerkleProof(blockTxids(block), loc.position);
  return {
    txid: toHex(txid),
    blockHash: toHex(loc.blockHash),
    height: loc.height,
    confirmations: confirmationsAt(loc.height, ctx.chain.tip.height),
    txRoot: toHex(block.header.txRoot),
    index: proof.index,
    leafCount: proof.leafCount,
    siblings: proof.siblings.map(toHex),
    proof: toHex(encodeMerkleProof(proof)),
  };
}

export function registerTransactionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const submit = submitRoute(ctx, { summary: 'Submit signed transfers to the mempool', tags: ['transactions'] });
  app.post<{ Body: unknown }>('/transactions', submit.options, submit.handler);
  app.get<{ Params: { txid: string } }>(
    '/transactions/:txid',
    {
      schema: {
        tags: ['transactions'],
        summary: 'A transaction: pending (mempool) or confirmed (main chain), with its location',
        params: txidParamsSchema,
        response: responses({ 200: transactionInfoSchema }, [400, 404]),
      },
    },
    (request) => transactionInfo(ctx, fromHex(request.params.txid.toLowerCase(), 'txid', 32)),
  );
  app.get<{ Params: { txid: string } }>(
    '/transactions/:txid/proof',
    {
      schema: {
        tags: ['transactions'],
        summary: "A confirmed transaction's Merkle inclusion proof in its main-chain block (404 while pending)",
        description:
          'For light clients: check `proof` (docs/protocol.md 5.5) from the txid to the txRoot of a header you ' +
          'verified yourself at `height` (GET /headers); the txRoot here is for reference only.',
        params: txidParamsSchema,
        response: responses({ 200: txProofSchema }, [400, 404]),
      },
    },
    (request) => transactionProof(ctx, fromHex(request.params.txid.toLowerCase(), 'txid', 32)),
  );
}
