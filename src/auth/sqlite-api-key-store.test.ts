import { describe, expect, it } from 'vitest';
import { openDatabase } from '../sqlite/open-database.ts';
import { hashApiKey } from './api-key.ts';
import { SqliteApiKeyStore } from './sqlite-api-key-store.ts';

describe('SqliteApiKeyStore', () => {
  it('stores only a hash and finds the key by it until revoked', async () => {
    const database = openDatabase(':memory:');
    const store = new SqliteApiKeyStore(database);
    const { key, record } = await store.create('ci', new Date(1000));
    expect(key).toMatch(/^dk_[A-Za-z0-9_-]{43}$/);
    expect(record.prefix).toBe(key.slice(0, 11));
    const stored = JSON.stringify(database.prepare('SELECT * FROM api_keys').all());
    expect(stored).not.toContain(key);
    expect((await store.findActiveByHash(hashApiKey(key)))?.id).toBe(record.id);
    expect(await store.findActiveByHash(hashApiKey(`${key}x`))).toBeUndefined();
    expect(await store.countActive()).toBe(1);
    expect((await store.revoke('ci', new Date(2000)))?.revokedAt?.getTime()).toBe(2000);
    expect(await store.findActiveByHash(hashApiKey(key))).toBeUndefined();
    expect(await store.revoke('ci', new Date(3000))).toBeUndefined();
    expect(await store.countActive()).toBe(0);
  });

  it('revokes by display prefix or id', async () => {
    const store = new SqliteApiKeyStore(openDatabase(':memory:'));
    const first = await store.create('a', new Date(1));
    const second = await store.create('b', new Date(2));
    expect((await store.revoke(first.record.prefix, new Date(3)))?.id).toBe(first.record.id);
    expect((await store.revoke(second.record.id, new Date(3)))?.name).toBe('b');
    expect((await store.list()).every((record) => record.revokedAt)).toBe(true);
  });
});
