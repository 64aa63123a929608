/**
 * Request/response over libp2p streams: one length-prefixed request frame, then zero or more
 * length-prefixed response frames, then the responder closes. Every frame is size-limited
 * and every exchange has a deadline, so a slow or hostile peer cannot hold a stream open.
 */
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import { RESPONSE_DEADLINE_MS } from './timeouts.js';

export interface RequestOptions {
  readonly maxResponseBytes: number;
  readonly maxFrames: number;
  readonly timeoutMs: number;
}

const toBytes = (chunk: Uint8ArrayList | Uint8Array): Uint8Array =>
  chunk instanceof Uint8Array ? chunk : chunk.subarray();

export async function request(
  libp2p: Libp2p,
  peer: PeerId,
  protocol: string,
  payload: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array[]> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const stream = await libp2p.dialProtocol(peer, protocol, { signal });
  // The deadline covers the whole exchange, not just the dial: a peer that opens the stream
  // and never answers is cut off.
  const onAbort = (): void =>
    stream.abort(new RequestTimeout(`${protocol}: no complete answer within ${opts.timeoutMs} ms`));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await pipe(
      [payload],
      (source) => lp.encode(source),
      stream,
      (source) => lp.decode(source, { maxDataLength: opts.maxResponseBytes }),
      async (source) => {
        const frames: Uint8Array[] = [];
        for await (const chunk of source) {
          if (signal.aborted) throw new Error(`${protocol}: no complete answer within ${opts.timeoutMs} ms`);
          frames.push(toBytes(chunk));
          if (frames.length > opts.maxFrames)
            throw new Error(`${protocol}: more than ${opts.maxFrames} response frames`);
        }
        return frames;
      },
    );
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw signal.aborted ? new RequestTimeout(`${protocol}: no complete answer within ${opts.timeoutMs} ms`) : err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A request that ran out of time: a slow peer, not necessarily a dishonest one. */
export class RequestTimeout extends Error {
  override readonly name = 'RequestTimeout';
}

export type Responder = (payload: Uint8Array, peer: PeerId) => Promise<Uint8Array[]> | Uint8Array[];

/** Serves `protocol`; a handler that throws closes the stream without an answer. */
export async function respond(
  libp2p: Libp2p,
  protocol: string,
  maxRequestBytes: number,
  handler: Responder,
): Promise<void> {
  await libp2p.handle(
    protocol,
    ({ stream, connection }: { stream: Stream; connection: { remotePeer: PeerId } }) => {
      void (async () => {
        // A requester gets RESPONSE_DEADLINE_MS to send its request and take our answer.
        const timer = setTimeout(
          () => stream.abort(new Error(`${protocol}: request not completed in time`)),
          RESPONSE_DEADLINE_MS,
        );
        try {
          let payload: Uint8Array | undefined;
          for await (const chunk of lp.decode(stream.source, { maxDataLength: maxRequestBytes })) {
            payload = toBytes(chunk);
            break;
          }
          if (!payload) throw new Error('empty request');
          const frames = await handler(payload, connection.remotePeer);
          await pipe(frames, (source) => lp.encode(source), stream.sink);
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)));
        } finally {
          clearTimeout(timer);
        }
      })();
    },
    { maxInboundStreams: 32, runOnLimitedConnection: false },
  );
}
