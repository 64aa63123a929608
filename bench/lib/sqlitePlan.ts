/**
 * Looks inside a node's (closed) SQLite store: how SQLite runs the `MAX(seq) + 1` subquery
 * that the store's inserts into `blocks` and `mempool` use, and how long it takes there.
 */
import Database from 'better-sqlite3';
import { stat, timed } from './stats.js';
import type { Stat } from './stats.js';

export interface SeqQuery {
  readonly table: string;
  readonly rows: number;
  readonly plan: string;
  readonly ms: Stat;
}

export function seqQuery(dbPath: string, table: 'blocks' | 'mempool', runs = 15): SeqQuery {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const sql = `SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM ${table}`;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail)
      .join('; ');
    const rows = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const q = db.prepare(sql);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(timed(() => q.get()).ms);
    return { table, rows, plan, ms: stat(samples) };
  } finally {
    db.close();
  }
}
