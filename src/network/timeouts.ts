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
 * that got ahead without its blocks reaching us by gossip must be noticed and synced from.
 * Not more often: each refresh opens a libp2p stream, and at 15 s the refreshes were a third
 * of an idle node's CPU (12 nodes, 8 peers each: 14 ms/s against 9.5 at 60 s). Lodestar
 * re-exchanges status every 5 minutes; Bitcoin Core relies on announcements alone.
 */
export const STATUS_REFRESH_MS = 60_000;
/**
 * Refreshes in a row an established peer may fail before it is disconnected: one slow answer
 * from a busy peer (or a busy us) is not a dead peer, and dropping the connection costs a
 * new dial and handshake. A first handshake that fails disconnects at once. With
 * INBOUND_SILENCE_MS below this is the node's one check that a peer is alive: libp2p's
 * connection monitor is off (see host.ts).
 */
export const STATUS_REFRESH_FAILURES_ALLOWED = 3;
/**
 * An inbound peer must send its first status within FIRST_STATUS_MS of connecting, and then
 * a fresh one (its dialer refreshes every STATUS_REFRESH_MS) at least every INBOUND_SILENCE_MS,
 * or it is disconnected: a connection that never greets would otherwise hold one of the
 * --max-peers slots for good. Checked every STATUS_REFRESH_MS, so a silent peer goes within
 * that much more. Bitcoin Core gives a new peer 60 s for its version message.
 */
export const FIRST_STATUS_MS = 60_000;
export const INBOUND_SILENCE_MS = (STATUS_REFRESH_FAILURES_ALLOWED + 1) * STATUS_REFRESH_MS;
/** How often a --peer address that is not connected is dialed again. */
export const REDIAL_MS = 5_000;

/** Between two sync progress lines in the log. */
export const SYNC_PROGRESS_LOG_MS = 2_000;
/**
 * The pause after a round in which no peer served a chunk of blocks, times the round's
 * number (1, 2, ...): a busy peer gets another chance before the sync gives up.
 */
export const BLOCK_FETCH_BACKOFF_MS = 500;
