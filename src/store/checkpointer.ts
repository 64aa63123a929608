/**
 * Worker thread that checkpoints the store's WAL into the database file, so that the copy and
 * its fsync never run on the node's main thread.
 *
 * SQLite checkpoints on the committing connection by default: with synchronous=NORMAL each
 * checkpoint writes the WAL's pages back and fsyncs the file, which stalled the main thread
 * for 60-250 ms (and up to a second under load) every few blocks of a sync. This thread holds
 * its own connection to the same file and runs a PASSIVE checkpoint every `everyMs` (it waits
 * for no reader or writer); the main connection keeps a far larger automatic checkpoint only
 * as a safety net, should this thread die.
 *
 * A round in which the WAL file has not changed since the last one (same size and mtime: no
 * commit) is skipped: on an idle node the checkpoint's locks and reads, and the garbage they
 * left for the isolate's collector threads, were 2-3 ms of CPU a second (12 idle nodes of
 * 8 peers: ~9.5 ms/s each with every round run, ~7 without the thread). A commit that a coarse
 * mtime hides is checkpointed at the next change; WAL frames are as durable as the file.
 *
 * In:  workerData {path, everyMs}; a message 'stop' closes the connection and ends the thread.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const port = parentPort!;

/** The connection, or undefined when the store is gone already (closed and removed while this thread started). */
function open(): Database.Database | undefined {
  try {
    const db = new Database(path, { fileMustExist: true });
    db.pragma('synchronous = NORMAL');
    // This connection must never checkpoint on its own terms: only here, on the timer.
    db.pragma('wal_autocheckpoint = 0');
    return db;
  } catch {
    return undefined;
  }
}

/** The WAL's size and mtime when last seen (undefined: not yet, or unreadable). */
let walSeen: string | undefined;

/** Whether anything was committed since the last round (a WAL that cannot be read counts as changed). */
function walChanged(): boolean {
  let now: string | undefined;
  try {
    const st = statSync(`${path}-wal`);
    now = `${st.size}:${st.mtimeMs}`;
  } catch {
    now = undefined;
  }
  const changed = now === undefined || now !== walSeen;
  walSeen = now;
  return changed;
}

const db = open();
const timer = db
  ? setInterval(() => {
      if (!walChanged()) return;
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Busy or closing: the next round tries again, and the main connection's safety net holds.
      }
    }, everyMs)
  : undefined;
if (!db) port.close();

port.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    if (db?.open) db.close();
  } catch {
    // The store's directory may be gone already (tests): the data was the main connection's to keep.
  }
  port.close();
});
