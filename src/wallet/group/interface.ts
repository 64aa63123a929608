/**
 * Group accounts in the wallet (issue 18): the error codes of its two file formats, the group
 * descriptor (descriptor.ts) and the partially signed transfer (partialTransfer.ts). The
 * signature math is crypto/group's; here a group is data on disk that several people pass
 * around, so every refusal names the file's field or the participant at fault.
 */
import type { CodeOf } from '../../errors.js';

export const GroupWalletErrorCode = {
  /** A descriptor or partial file that is not JSON, not ours, or has a bad field (named). */
  fileInvalid: 'GROUP_FILE_INVALID',
  /** A file of another network than --network. */
  wrongNetwork: 'GROUP_WRONG_NETWORK',
  /** A share or key that belongs to no participant of this group (a share of another group). */
  notParticipant: 'GROUP_NOT_PARTICIPANT',
  /** A partial file whose transfer is not from this group's key. */
  notGroupTransfer: 'GROUP_NOT_GROUP_TRANSFER',
} as const;

declare module '../../errors.js' {
  interface ErrorCodeRegistry {
    groupWallet: CodeOf<typeof GroupWalletErrorCode>;
  }
}
