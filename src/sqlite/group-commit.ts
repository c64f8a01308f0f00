import type { SqliteDatabase } from './open-database.ts';

type PendingWrite = { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Group commit: writes asked for during one turn of the event loop run in one transaction right after it
 * (`setImmediate`), and each caller's promise settles only once that transaction has committed. A commit is
 * the expensive part of a small SQLite write (WAL append and index update), so under load many submits
 * share one; alone, a write waits one loop turn. Each write runs in its own savepoint: one that throws
 * fails only its own caller.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly database: SqliteDatabase) {}

  /** Runs `work` (synchronous statements) in the next group transaction; resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Commits what is pending now (shutdown does this before closing the database). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.database.transaction(() => {
        for (const write of batch) {
          try {
            outcomes.push({ ok: true, value: this.database.transaction(write.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored.
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    });
  }
}

const groups = new WeakMap<SqliteDatabase, GroupCommit>();

/** The one group committer of a database, shared by every store that writes to it. */
export function groupCommitFor(database: SqliteDatabase): GroupCommit {
  let group = groups.get(database);
  if (!group) groups.set(database, (group = new GroupCommit(database)));
  return group;
}
