/**
 * Typed errors with stable codes.
 *
 * Every rejection in OurCoin is an `OurCoinError` whose `code` is a stable, documented string
 * (see docs/protocol.md, "Error codes"). Callers branch on `code`, never on `message`.
 *
 * `kind` says what a failure means for the object that caused it:
 * - `encoding`: the bytes are malformed; nothing is known about the object.
 * - `mutated`: the data does not match what its header commits to; a relayer may have
 *   tampered with it, so the block hash must NOT be remembered as invalid.
 * - `consensus`: the object itself breaks a rule; a block with this failure is invalid forever.
 * - `transient`: may become acceptable later (unknown parent, timestamp too far ahead).
 * - `input`: bad input to a local API (wrong hex, bad address), not about consensus.
 */
export type ErrorKind = 'encoding' | 'mutated' | 'consensus' | 'transient' | 'input' | 'crypto' | 'store';

export class OurCoinError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, kind: ErrorKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OurCoinError';
    this.code = code;
    this.kind = kind;
  }
}

export function isOurCoinError(err: unknown, code?: string): err is OurCoinError {
  return err instanceof OurCoinError && (code === undefined || err.code === code);
}
