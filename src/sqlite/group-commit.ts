import type { SqliteDatabase } from './open-database.ts';

type PendingWrite = { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

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
  private readonly commitBatch: (batch: PendingWrite[]) => Outcome[];

  constructor(database: SqliteDatabase) {
    // Statements prepared once: building a savepoint wrapper per write showed up in submit profiles.
    const savepoint = database.prepare('SAVEPOINT group_write');
    const release = database.prepare('RELEASE group_write');
    const rollback = database.prepare('ROLLBACK TO group_write');
    this.commitBatch = database.transaction((batch: PendingWrite[]) =>
      batch.map((write): Outcome => {
        savepoint.run();
        try {
          const value = write.work();
          release.run();
          return { ok: true, value };
        } catch (error) {
          rollback.run();
          release.run();
          return { ok: false, error };
        }
      }),
    );
  }

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
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
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
