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
 * In:  workerData {path, everyMs}; a message 'stop' closes the connection and ends the thread.
 */
import Database from 'better-sqlite3';
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

const db = open();
const timer = db
  ? setInterval(() => {
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
