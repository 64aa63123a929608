/**
 * Byte-string equality that does not leak where two inputs differ. It sits in crypto, the
 * lowest floor that compares secrets (keystore checksums), so crypto need not import protocol;
 * protocol/bytes.ts re-exports it for everyone above.
 */

/**
 * True when `a` and `b` hold the same bytes. Over equal lengths it reads every byte whatever
 * it finds (xor-accumulate, no early exit); a length mismatch returns at once, since lengths
 * are public (fixed by the format) wherever a secret is compared.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
