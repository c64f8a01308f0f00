import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';
import { openDatabase, type SqliteDatabase } from './open-database.ts';

describe('GroupCommit', () => {
  let directory: string;
  let database: SqliteDatabase;
  let observer: SqliteDatabase;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'darkroom-group-'));
    database = openDatabase(join(directory, 'test.db'));
    database.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    // A second connection sees only what has been committed.
    observer = openDatabase(join(directory, 'test.db'));
  });
  afterEach(() => {
    observer.close();
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const committed = () => observer.prepare<[], { count: number }>('SELECT count(*) AS count FROM items').get()?.count;

  it('commits the writes of one loop turn together, after the turn, and resolves each with its result', async () => {
    const group = new GroupCommit(database);
    const insert = database.prepare<[string], { id: number }>('INSERT INTO items (name) VALUES (?) RETURNING id');
    const writes = Array.from({ length: 20 }, (_, index) => group.run(() => insert.get(`item ${index}`)?.id));
    expect(committed()).toBe(0);
    const ids = await Promise.all(writes);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(committed()).toBe(20);
  });

  it('fails only the write that threw, and undoes all of that write', async () => {
    const group = new GroupCommit(database);
    const insert = database.prepare<[string]>('INSERT INTO items (name) VALUES (?)');
    const first = group.run(() => insert.run('a'));
    const failing = group.run(() => {
      insert.run('b');
      insert.run('a'); // UNIQUE violation: 'b' must be rolled back with it
    });
    const last = group.run(() => insert.run('c'));
    await expect(failing).rejects.toThrow(/UNIQUE/);
    await Promise.all([first, last]);
    expect(observer.prepare<[], { name: string }>('SELECT name FROM items ORDER BY id').all().map((row) => row.name)).toEqual(['a', 'c']);
  });

  it('flush() commits pending writes at once', async () => {
    const group = new GroupCommit(database);
    const pending = group.run(() => database.prepare('INSERT INTO items (name) VALUES (?)').run('now'));
    group.flush();
    expect(committed()).toBe(1);
    await pending;
  });
});
