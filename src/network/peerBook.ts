/**
 * What the node knows about each peer: its handshake status, direction, score and request
 * rate; and the ban list.
 *
 * Scores start at 0 and fall with misbehaviour (invalid blocks or transactions, malformed
 * messages, floods). At BAN_THRESHOLD the peer is disconnected and refused for BAN_MS. An
 * honest peer never loses score for a block that was merely unknown (orphan), late,
 * already known, or ahead of our clock.
 */
import type { PeerStatus } from './messages.js';
import { FIRST_STATUS_MS, INBOUND_SILENCE_MS } from './timeouts.js';

export const Penalty = {
  invalidBlock: 100,
  invalidTransaction: 20,
  malformedMessage: 25,
  mutatedBlock: 25,
  wrongNetwork: 100,
  flood: 10,
  unrequested: 5,
} as const;

export const BAN_THRESHOLD = -100;
export const BAN_MS = 10 * 60_000;
/** Requests a peer may make per window before each further one costs `Penalty.flood`. */
export const REQUEST_LIMIT = { count: 200, windowMs: 10_000 };

export interface PeerEntry {
  readonly peerId: string;
  direction: 'inbound' | 'outbound';
  address: string;
  status?: PeerStatus;
  /** When the peer's last status arrived (see recordStatus). */
  statusAt?: number;
  /** Status refreshes in a row that failed (timed out, refused): see Handshake. */
  refreshFailures?: number;
  score: number;
  connectedAt: number;
  requests: { windowStart: number; count: number };
}

export class PeerBook {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly bans = new Map<string, number>();
  /** Scores of peers that left, so disconnecting does not wipe a bad record. */
  private readonly pastScores = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  add(peerId: string, direction: PeerEntry['direction'], address: string): PeerEntry {
    const existing = this.peers.get(peerId);
    if (existing) return existing;
    const score = this.pastScores.get(peerId) ?? 0;
    const entry: PeerEntry = {
      peerId,
      direction,
      address,
      score,
      connectedAt: this.now(),
      requests: { windowStart: this.now(), count: 0 },
    };
    this.peers.set(peerId, entry);
    return entry;
  }

  get(peerId: string): PeerEntry | undefined {
    return this.peers.get(peerId);
  }

  remove(peerId: string): void {
    const entry = this.peers.get(peerId);
    if (entry && entry.score < 0) {
      this.pastScores.set(peerId, entry.score);
      // Bounded: the oldest records go first.
      if (this.pastScores.size > 10_000) this.pastScores.delete(this.pastScores.keys().next().value!);
    }
    this.peers.delete(peerId);
  }

  /** Records a status the peer sent or answered with; true when it is the peer's first. */
  recordStatus(entry: PeerEntry, status: PeerStatus): boolean {
    const first = entry.status === undefined;
    entry.status = status;
    entry.statusAt = this.now();
    return first;
  }

  /**
   * Inbound peers gone silent: no status within FIRST_STATUS_MS of connecting, or none for
   * INBOUND_SILENCE_MS since the last. (Outbound peers are ours to ask: see Handshake.greet.)
   */
  silentInbound(): { entry: PeerEntry; why: string }[] {
    const t = this.now();
    return this.all().flatMap((entry) => {
      if (entry.direction !== 'inbound') return [];
      if (entry.statusAt === undefined)
        return t - entry.connectedAt > FIRST_STATUS_MS
          ? [{ entry, why: `no status within ${FIRST_STATUS_MS / 1000} s of connecting` }]
          : [];
      return t - entry.statusAt > INBOUND_SILENCE_MS
        ? [{ entry, why: `no status for ${INBOUND_SILENCE_MS / 1000} s` }]
        : [];
    });
  }

  all(): PeerEntry[] {
    return [...this.peers.values()];
  }

  /** Peers that completed the handshake. */
  ready(): PeerEntry[] {
    return this.all().filter((p) => p.status !== undefined);
  }

  /** Lowers the score; true when the peer must now be disconnected and banned. */
  penalize(peerId: string, amount: number): boolean {
    const entry = this.peers.get(peerId);
    if (!entry) return false;
    entry.score -= amount;
    if (entry.score > BAN_THRESHOLD) return false;
    this.ban(peerId);
    return true;
  }

  ban(peerId: string, ms = BAN_MS): void {
    this.bans.set(peerId, this.now() + ms);
  }

  isBanned(peerId: string): boolean {
    const until = this.bans.get(peerId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(peerId);
    return false;
  }

  /** Counts a request; true when the peer is over its rate and this one should cost it. */
  countRequest(peerId: string): boolean {
    const entry = this.peers.get(peerId);
    if (!entry) return false;
    const t = this.now();
    if (t - entry.requests.windowStart > REQUEST_LIMIT.windowMs) entry.requests = { windowStart: t, count: 0 };
    entry.requests.count++;
    return entry.requests.count > REQUEST_LIMIT.count;
  }
}
