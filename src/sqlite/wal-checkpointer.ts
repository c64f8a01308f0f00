import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './open-database.ts';

/**
 * Runs in its own thread with its own connection. A PASSIVE checkpoint copies committed WAL frames into the
 * database file and fsyncs, without taking the write lock, so the request thread keeps committing.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path);
database.pragma('busy_timeout = 5000');
const checkpoint = (mode) => {
  try { database.pragma('wal_checkpoint(' + mode + ')'); } catch {}
};
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint('PASSIVE');
  database.close();
  parentPort.close();
});
`;

/** Pages the request thread may let the WAL grow to before it checkpoints itself (the worker normally does). */
const backstopPages = 16_000;

/**
 * Moves WAL checkpoints off the request thread. SQLite's automatic checkpoint runs inside whichever commit
 * crosses 1,000 pages, copying pages and fsyncing there: in the submit profile that was about an eighth of
 * all work and the source of the tail latency. Here a worker thread checkpoints every `intervalMs`; the
 * connection's own automatic checkpoint stays as a backstop at a much larger WAL.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(database: SqliteDatabase, options: { intervalMs?: number } = {}) {
    database.pragma(`wal_autocheckpoint = ${backstopPages}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(workerSource, { eval: true, workerData: { driver, path: database.name, intervalMs: options.intervalMs ?? 200 } });
    // A failed checkpointer only means the backstop checkpoints inline again.
    this.worker.on('error', () => {
      if (database.open) database.pragma('wal_autocheckpoint = 1000');
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Runs a last checkpoint and ends the thread. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}
