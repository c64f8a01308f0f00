import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens (or creates) the embedded database. WAL lets readers run beside the single writer; `synchronous=NORMAL`
 * in WAL mode keeps every committed transaction across a process crash (kill -9) — only an OS crash or power
 * loss can drop the last commits — at a fraction of the fsync cost of FULL.
 */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return database;
}

/** Applies numbered migrations once each, tracked per component in `schema_migrations`. */
export function migrate(database: SqliteDatabase, component: string, migrations: readonly string[]): void {
  database.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))');
  const applied = new Set(
    database
      .prepare<[string], { version: number }>('SELECT version FROM schema_migrations WHERE component = ?')
      .all(component)
      .map((row) => row.version),
  );
  migrations.forEach((sql, index) => {
    const version = index + 1;
    if (applied.has(version)) return;
    database.transaction(() => {
      database.exec(sql);
      database.prepare('INSERT INTO schema_migrations (component, version) VALUES (?, ?)').run(component, version);
    })();
  });
}
