/**
 * Typed errors with stable codes: the bottom floor, imported by every domain.
 *
 * Every rejection in OurCoin is an `OurCoinError` whose `code` is a stable, documented string
 * (see docs/protocol.md, "Error codes", and docs/decisions/0009-http-api.md). Callers branch on
 * `code` and `kind`, never on `message`.
 *
 * Each domain declares its codes in one registry (`RuleCode` in protocol/rules/codes.ts,
 * `MempoolErrorCode` in mempool/interface.ts, ...) and adds it to `ErrorCodeRegistry` below by
 * declaration merging, so `ErrorCode` is the union of every registry while the codes stay with
 * the domain that owns them, and this file imports nothing.
 *
 * `kind` is the verdict: what a failure means for the object that caused it, and so what the
 * chain remembers, which HTTP status a client gets and what a peer's message costs it.
 * - `encoding`: the bytes are malformed; nothing is known about the object.
 * - `mutated`: the data does not match what its header commits to; a relayer may have
 *   tampered with it, so the block hash must NOT be remembered as invalid.
 * - `consensus`: the object itself breaks a rule; a block with this failure is invalid forever.
 * - `crypto`: a key or signature is not a valid point or does not verify.
 * - `conflict`: valid, but conflicts with the chain state or the pool (a nonce already used,
 *   a duplicate, a balance spent meanwhile): normal for honest relays, never penalised.
 * - `policy`: valid, but this node's local policy refuses it (fee below its minimum, pool
 *   full, too far ahead): another node may accept it; never penalised.
 * - `transient`: may become acceptable later (unknown parent, timestamp too far ahead).
 * - `busy`: nothing was checked: this node has too much of this sender's work waiting (its
 *   queue is full); send again later (HTTP 429 with Retry-After). Never penalised: a peer
 *   relaying while we are busy broke no rule.
 * - `input`: bad input to a local command or API (wrong hex, bad address, unknown name).
 * - `store`: the node's own storage failed; never the client's fault.
 */
export type ErrorKind =
  'encoding' | 'mutated' | 'consensus' | 'crypto' | 'conflict' | 'policy' | 'transient' | 'busy' | 'input' | 'store';

/**
 * One entry per domain registry, added where the registry is declared:
 *
 *     declare module '../errors.js' {
 *       interface ErrorCodeRegistry { mempool: ValueOf<typeof MempoolErrorCode> }
 *     }
 */
export interface ErrorCodeRegistry {}

/** Every stable error code of OurCoin. */
export type ErrorCode = ErrorCodeRegistry[keyof ErrorCodeRegistry];

/** The codes of one registry object (`{ name: 'CODE' }` declared `as const`). */
export type CodeOf<R extends Record<string, string>> = R[keyof R];

export class OurCoinError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;

  constructor(code: ErrorCode, message: string, kind: ErrorKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OurCoinError';
    this.code = code;
    this.kind = kind;
  }
}

export function isOurCoinError(err: unknown, code?: ErrorCode): err is OurCoinError {
  return err instanceof OurCoinError && (code === undefined || err.code === code);
}
