import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';

const migrations = [
  `CREATE TABLE idempotent_responses (
     scope TEXT NOT NULL,
     idempotency_key TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     status INTEGER NOT NULL,
     headers_json TEXT NOT NULL,
     body BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (scope, idempotency_key)
   );
   CREATE INDEX idempotent_responses_time ON idempotent_responses (created_at);`,
];

/** The response first given to a request with an `Idempotency-Key`, replayed to its retries. */
export type StoredResponse = {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  createdAt: Date;
};

type ResponseRow = { fingerprint: string; status: number; headers_json: string; body: Buffer; created_at: number };

/**
 * Remembered responses, keyed by (caller, Idempotency-Key), in SQLite so they survive restarts. Synchronous,
 * so a look-up and the in-process claim that follows it cannot interleave with another request.
 */
export class IdempotencyStore {
  private readonly statements;

  constructor(database: SqliteDatabase) {
    migrate(database, 'idempotency', migrations);
    this.statements = {
      find: database.prepare<[string, string, number], ResponseRow>(
        'SELECT * FROM idempotent_responses WHERE scope = ? AND idempotency_key = ? AND created_at >= ?',
      ),
      save: database.prepare(
        `INSERT OR REPLACE INTO idempotent_responses (scope, idempotency_key, fingerprint, status, headers_json, body, created_at)
         VALUES (@scope, @key, @fingerprint, @status, @headers, @body, @createdAt)`,
      ),
      purge: database.prepare<[number]>('DELETE FROM idempotent_responses WHERE created_at < ?'),
    };
  }

  /** The response stored for this key no earlier than `notBefore` (older ones have expired). */
  find(scope: string, key: string, notBefore: Date): StoredResponse | undefined {
    const row = this.statements.find.get(scope, key, notBefore.getTime());
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      status: row.status,
      headers: JSON.parse(row.headers_json) as Record<string, string>,
      body: new Uint8Array(row.body),
      createdAt: new Date(row.created_at),
    };
  }

  save(scope: string, key: string, response: StoredResponse): void {
    this.statements.save.run({
      scope,
      key,
      fingerprint: response.fingerprint,
      status: response.status,
      headers: JSON.stringify(response.headers),
      body: Buffer.from(response.body),
      createdAt: response.createdAt.getTime(),
    });
  }

  /** Forgets responses stored before `before`; returns how many. */
  purge(before: Date): number {
    return this.statements.purge.run(before.getTime()).changes;
  }
}
