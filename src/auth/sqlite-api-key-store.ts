import { randomUUID } from 'node:crypto';
import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';
import { displayPrefix, generateApiKey, hashApiKey, hashesEqual, type ApiKeyRecord } from './api-key.ts';
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
];

type KeyRow = { id: string; name: string; prefix: string; key_hash: string; created_at: number; revoked_at: number | null };

const toRecord = (row: KeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: new Date(row.created_at),
  revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
});

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'api_keys', migrations);
  }

  async create(name: string, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const row: KeyRow = {
      id: randomUUID(),
      name,
      prefix: displayPrefix(key),
      key_hash: hashApiKey(key),
      created_at: now.getTime(),
      revoked_at: null,
    };
    this.database
      .prepare('INSERT INTO api_keys (id, name, prefix, key_hash, created_at) VALUES (@id, @name, @prefix, @key_hash, @created_at)')
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
