import { randomUUID } from 'node:crypto';
import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';
import { displayPrefix, generateApiKey, hashApiKey, hashesEqual, type ApiKeyRecord, type KeyChanges, type NewKeyOptions } from './api-key.ts';
import type { ApiKeyStore } from './api-key-store.ts';

const migrations = [
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     prefix TEXT NOT NULL,
     key_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );`,
  // Accounts: admin keys and per-key limits (NULL = unlimited).
  `ALTER TABLE api_keys ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE api_keys ADD COLUMN rpm INTEGER;
   ALTER TABLE api_keys ADD COLUMN concurrency INTEGER;
   ALTER TABLE api_keys ADD COLUMN monthly_budget_usd REAL;`,
];

type KeyRow = {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
  admin: number;
  rpm: number | null;
  concurrency: number | null;
  monthly_budget_usd: number | null;
};

const toRecord = (row: KeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: new Date(row.created_at),
  revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
  admin: row.admin === 1,
  limits: { rpm: row.rpm ?? undefined, concurrency: row.concurrency ?? undefined, monthlyBudgetUsd: row.monthly_budget_usd ?? undefined },
});

const limitColumns = { rpm: 'rpm', concurrency: 'concurrency', monthlyBudgetUsd: 'monthly_budget_usd' } as const;

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'api_keys', migrations);
  }

  async create(name: string, now: Date, options: NewKeyOptions = {}): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const row: KeyRow = {
      id: randomUUID(),
      name,
      prefix: displayPrefix(key),
      key_hash: hashApiKey(key),
      created_at: now.getTime(),
      revoked_at: null,
      admin: options.admin ? 1 : 0,
      rpm: options.limits?.rpm ?? null,
      concurrency: options.limits?.concurrency ?? null,
      monthly_budget_usd: options.limits?.monthlyBudgetUsd ?? null,
    };
    this.database
      .prepare(
        `INSERT INTO api_keys (id, name, prefix, key_hash, created_at, admin, rpm, concurrency, monthly_budget_usd)
         VALUES (@id, @name, @prefix, @key_hash, @created_at, @admin, @rpm, @concurrency, @monthly_budget_usd)`,
      )
      .run(row);
    return { key, record: toRecord(row) };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.database.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at').all().map(toRecord);
  }

  async revoke(idNameOrPrefix: string, now: Date): Promise<ApiKeyRecord | undefined> {
    const row = this.database
      .prepare<[number, string, string, string], KeyRow>(
        `UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL AND (id = ? OR name = ? OR prefix = ?) RETURNING *`,
      )
      .get(now.getTime(), idNameOrPrefix, idNameOrPrefix, idNameOrPrefix);
    return row ? toRecord(row) : undefined;
  }

  async update(idNameOrPrefix: string, changes: KeyChanges): Promise<ApiKeyRecord | undefined> {
    const matches = this.database
      .prepare<[string, string, string], KeyRow>('SELECT * FROM api_keys WHERE revoked_at IS NULL AND (id = ? OR name = ? OR prefix = ?)')
      .all(idNameOrPrefix, idNameOrPrefix, idNameOrPrefix);
    // A name may be shared; changing limits must never hit a key the operator did not mean.
    if (matches.length > 1) throw new Error(`"${idNameOrPrefix}" matches ${matches.length} active keys; use the key id`);
    const match = matches[0];
    if (!match) return undefined;
    const assignments: string[] = [];
    const values: Array<number | null> = [];
    if (changes.admin !== undefined) {
      assignments.push('admin = ?');
      values.push(changes.admin ? 1 : 0);
    }
    for (const [limit, column] of Object.entries(limitColumns) as Array<[keyof typeof limitColumns, string]>) {
      const value = changes[limit];
      if (value === undefined) continue;
      assignments.push(`${column} = ?`);
      values.push(value);
    }
    if (assignments.length === 0) return toRecord(match);
    const row = this.database
      .prepare<Array<number | null | string>, KeyRow>(`UPDATE api_keys SET ${assignments.join(', ')} WHERE id = ? RETURNING *`)
      .get(...values, match.id);
    return row ? toRecord(row) : undefined;
  }

  async findActiveByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.database.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE key_hash = ?').get(hash);
    // The index finds the row; the constant-time compare keeps the final check free of timing differences.
    if (!row || row.revoked_at !== null || !hashesEqual(row.key_hash, hash)) return undefined;
    return toRecord(row);
  }

  async countActive(): Promise<number> {
    return this.database.prepare<[], { count: number }>('SELECT count(*) AS count FROM api_keys WHERE revoked_at IS NULL').get()?.count ?? 0;
  }
}
