/**
 * The transfer queues of the BLS service (src/chain/bls/transferQueue.ts): round-robin across
 * sources, pre-empted sets back first, and the bounds per source and in total, with a source
 * under its fair share pushing out the newest set of the source holding most.
 */
import { describe, expect, it } from 'vitest';
import {
  FairTransferQueue,
  LOCAL_SOURCE,
  SUSPECT_JOB_SETS,
  SUSPECT_MS,
} from '../../../../src/chain/bls/transferQueue.js';

interface Item {
  readonly source: string;
  readonly name: string;
}

/** Reserves room for and queues each named item ('a1' is source a's first); what did not fit. */
function offer(queue: FairTransferQueue<Item>, names: readonly string[]): { refused: string[]; pushedOut: string[] } {
  const refused: string[] = [];
  const pushedOut: string[] = [];
  for (const name of names) {
    const source = name === 'local' ? LOCAL_SOURCE : name[0]!;
    const room = queue.reserve(source);
    if (!room.ok) refused.push(name);
    else {
      if (room.pushedOut) pushedOut.push(room.pushedOut.name);
      queue.push({ source, name });
    }
  }
  return { refused, pushedOut };
}

const names = (items: readonly Item[]): string[] => items.map((i) => i.name);

describe('FairTransferQueue', () => {
  it('takes one set of each source in turn', () => {
    const queue = new FairTransferQueue<Item>();
    offer(queue, ['a1', 'a2', 'a3', 'a4', 'b1', 'c1', 'c2']);
    expect(names(queue.take(5))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2']);
    expect(names(queue.take(5))).toEqual(['a3', 'a4']);
    expect(queue.length).toBe(0);
  });

  it('puts pre-empted sets back at the head of their queues, a source out of turn first', () => {
    const queue = new FairTransferQueue<Item>();
    offer(queue, ['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    const job = queue.take(4); // a1 b1 c1 a2
    queue.putBack(job.slice(2)); // c1 and a2 were not finished
    expect(queue.length).toBe(4);
    // c had left the turn (nothing queued): it comes first; a keeps its place, a2 ahead of a3.
    expect(names(queue.take(10))).toEqual(['c1', 'b2', 'a2', 'a3']);
  });

  it('refuses a source past its bound until its sets are answered; the node itself is not bounded', () => {
    const queue = new FairTransferQueue<Item>(3, 100);
    expect(offer(queue, ['a1', 'a2', 'a3', 'a4', 'a5']).refused).toEqual(['a4', 'a5']);
    expect(queue.admits('a')).toBe(false);
    expect(queue.admits('b')).toBe(true);
    const taken = queue.take(1);
    // Taken into a job, still outstanding: no room yet.
    expect(queue.admits('a')).toBe(false);
    queue.done(taken[0]!);
    expect(queue.admits('a')).toBe(true);
    expect(
      offer(
        queue,
        Array.from({ length: 10 }, () => 'local'),
      ).refused,
    ).toEqual([]);
    expect(queue.outstandingTotal).toBe(2);
  });

  it('never holds more than its total: a source under its fair share pushes out the largest source newest set', () => {
    const queue = new FairTransferQueue<Item>(10, 8);
    // c is known: one of its sets verified.
    offer(queue, ['c0']);
    for (const item of queue.take(1)) queue.done(item, true);
    expect(offer(queue, ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2'])).toEqual({ refused: [], pushedOut: [] });
    // Full. c has nothing: its share is 8 / 3 = 2, taken from a (the most queued).
    expect(queue.admits('c')).toBe(true);
    expect(offer(queue, ['c1', 'c2', 'c3'])).toEqual({ refused: ['c3'], pushedOut: ['a6', 'a5'] });
    expect(queue.admits('c')).toBe(false);
    // a is over its share: refused, not pushing anyone out.
    expect(offer(queue, ['a7'])).toEqual({ refused: ['a7'], pushedOut: [] });
    expect(queue.outstandingTotal).toBe(8);
    expect(queue.length).toBe(8);
    expect(names(queue.take(8))).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'a4']);
  });

  it('gives a source whose sets failed jobs of its own, and shuts it out under pressure', () => {
    const queue = new FairTransferQueue<Item>(100, 8);
    // d's first sets fail, e's verify.
    offer(queue, ['d1', 'e1']);
    for (const item of queue.take(2)) queue.done(item, item.source === 'e');
    expect([queue.isSuspect('d'), queue.isSuspect('e')]).toEqual([true, false]);

    offer(queue, ['e2', 'd2', 'd3', 'f1', 'd4']);
    // The others first, then d's sets in a job of their own.
    expect(names(queue.take(8))).toEqual(['e2', 'f1']);
    expect(names(queue.take(8))).toEqual(['d2', 'd3', 'd4']);
    // d's sets wait while anyone else's do.
    offer(queue, ['d5', 'g1']);
    expect(names(queue.take(1))).toEqual(['g1']);

    // Half the bound taken: d is refused at the door, the others are not.
    expect(queue.outstandingTotal).toBe(7);
    expect([queue.admits('d'), queue.admits('e'), queue.admits('g')]).toEqual([false, true, true]);
    // A failure long ago is forgiven.
    expect(queue.isSuspect('d', Date.now() + SUSPECT_MS)).toBe(false);
  });

  it('keeps a suspect source to short jobs', () => {
    const queue = new FairTransferQueue<Item>();
    offer(queue, ['x1']);
    for (const item of queue.take(1)) queue.done(item, false);
    offer(
      queue,
      Array.from({ length: 40 }, (_, i) => `x${i + 2}`),
    );
    expect(queue.take(128)).toHaveLength(SUSPECT_JOB_SETS);
    expect(queue.length).toBe(40 - SUSPECT_JOB_SETS);
  });

  it('when full, lets in only sources whose sets verified lately', () => {
    const queue = new FairTransferQueue<Item>(100, 4);
    offer(queue, ['h1']);
    for (const item of queue.take(1)) queue.done(item, true);
    offer(queue, ['a1', 'a2', 'b1', 'b2']);
    expect(queue.outstandingTotal).toBe(4);
    // A newcomer waits outside; h, known to send what verifies, still gets its fair share.
    expect([queue.admits('z'), queue.admits('h')]).toEqual([false, true]);
  });
});
