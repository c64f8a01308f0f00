import { describe, expect, it } from 'vitest';
import { openDatabase } from '../sqlite/open-database.ts';
import { describeEventBusContract } from './event-bus.contract.ts';
import { MemoryEventBus } from './memory-event-bus.ts';
import { SqliteEventBus } from './sqlite-event-bus.ts';

describeEventBusContract('memory', () => new MemoryEventBus());
describeEventBusContract('sqlite', () => new SqliteEventBus(openDatabase(':memory:')));

describe('SqliteEventBus', () => {
  it('commits a terminal event before publish returns, and other events with the next group', async () => {
    const database = openDatabase(':memory:');
    const bus = new SqliteEventBus(database);
    const stored = (type: string) => database.prepare<[string], { count: number }>('SELECT count(*) AS count FROM job_events WHERE type = ?').get(type)?.count;
    const base = { jobId: 'job-1', ownerKeyId: undefined, model: 'gpt-image-2', at: new Date(), data: {} };
    const started = bus.publish({ ...base, type: 'job-started' });
    expect(stored('job-started')).toBe(0);
    const succeeded = bus.publish({ ...base, type: 'job-succeeded' });
    // The pending job-started was committed first, so the sequences keep publishing order.
    expect([stored('job-started'), stored('job-succeeded')]).toEqual([1, 1]);
    const [first, second] = await Promise.all([started, succeeded]);
    expect(second.sequence).toBeGreaterThan(first.sequence);
  });
});
