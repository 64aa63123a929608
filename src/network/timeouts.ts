/**
 * Every deadline and period of the peer-to-peer network, in one place. A request deadline
 * covers the whole exchange (dial, request, every response frame): a peer that opens a
 * stream and never answers is cut off when it passes.
 */

/** A status exchange (`/ourcoin/handshake/1`): one small frame each way. */
export const STATUS_REQUEST_TIMEOUT_MS = 10_000;
/** Transfers a compact block lacks, asked of the peer that relayed it. */
export const TXS_REQUEST_TIMEOUT_MS = 10_000;
/** A relayed block fetched whole when its transfers could not all be found. */
export const RELAYED_BLOCK_TIMEOUT_MS = 10_000;
/** Up to MAX_HEADERS headers for a locator during sync (about 230 KB). */
export const HEADERS_REQUEST_TIMEOUT_MS = 20_000;
/** A chunk of up to 64 full blocks during sync (tens of megabytes at worst). */
export const BLOCKS_REQUEST_TIMEOUT_MS = 60_000;
/** How long a requester may take to send its request and read our answer. */
export const RESPONSE_DEADLINE_MS = 30_000;

/**
 * How often outbound peers are asked for their status again: statuses go stale, and a peer
 * that got ahead (after a partition heals, say) must be noticed and synced from.
 */
export const STATUS_REFRESH_MS = 15_000;
/** How often a --peer address that is not connected is dialed again. */
export const REDIAL_MS = 5_000;

/** Between two sync progress lines in the log. */
export const SYNC_PROGRESS_LOG_MS = 2_000;
/**
 * The pause after a round in which no peer served a chunk of blocks, times the round's
 * number (1, 2, ...): a busy peer gets another chance before the sync gives up.
 */
export const BLOCK_FETCH_BACKOFF_MS = 500;
