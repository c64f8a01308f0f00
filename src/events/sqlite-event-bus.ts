import type { JobEvent, NewJobEvent } from '../domain/job-event.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';
import { ListenerSet, type EventBus, type EventFilter, type EventListener } from './event-bus.ts';

const migrations = [
  `CREATE TABLE job_events (
     sequence INTEGER PRIMARY KEY AUTOINCREMENT,
     type TEXT NOT NULL,
     job_id TEXT NOT NULL,
     owner_key_id TEXT,
     model TEXT NOT NULL,
     at INTEGER NOT NULL,
     data_json TEXT NOT NULL
   );
   CREATE INDEX job_events_job ON job_events (job_id, sequence);
   CREATE INDEX job_events_owner ON job_events (owner_key_id, sequence);`,
];

type EventRow = {
  sequence: number;
  type: string;
  job_id: string;
  owner_key_id: string | null;
  model: string;
  at: number;
  data_json: string;
};

const toEvent = (row: EventRow): JobEvent => ({
  sequence: row.sequence,
  type: row.type as JobEvent['type'],
  jobId: row.job_id,
  ownerKeyId: row.owner_key_id ?? undefined,
  model: row.model,
  at: new Date(row.at),
  data: JSON.parse(row.data_json) as JsonObject,
});

/**
 * Events persisted in SQLite (so `Last-Event-ID` replay survives restarts) and fanned out in-process.
 * One process owns the database, so in-process fan-out reaches every subscriber.
 */
export class SqliteEventBus implements EventBus {
  private readonly listeners = new ListenerSet();
  private readonly insert;
  private readonly latest;
  private readonly pruneStatement;

  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'events', migrations);
    this.insert = database.prepare<[string, string, string | null, string, number, string], { sequence: number }>(
      `INSERT INTO job_events (type, job_id, owner_key_id, model, at, data_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING sequence`,
    );
    this.latest = database.prepare<[], { sequence: number | null }>('SELECT max(sequence) AS sequence FROM job_events');
    this.pruneStatement = database.prepare<[number]>('DELETE FROM job_events WHERE at < ?');
  }

  async publish(newEvent: NewJobEvent): Promise<JobEvent> {
    const row = this.insert.get(
      newEvent.type,
      newEvent.jobId,
      newEvent.ownerKeyId ?? null,
      newEvent.model,
      newEvent.at.getTime(),
      JSON.stringify(newEvent.data),
    );
    const event: JobEvent = { ...newEvent, sequence: row?.sequence ?? 0 };
    this.listeners.dispatch(event);
    return event;
  }

  subscribe(filter: EventFilter, listener: EventListener): () => void {
    return this.listeners.add(filter, listener);
  }

  async replay(filter: EventFilter, afterSequence: number, limit: number): Promise<JobEvent[]> {
    const conditions = ['sequence > ?'];
    const parameters: Array<string | number> = [afterSequence];
    if (filter.jobId !== undefined) {
      conditions.push('job_id = ?');
      parameters.push(filter.jobId);
    }
    if (filter.ownerKeyId !== undefined) {
      if (filter.ownerKeyId === null) conditions.push('owner_key_id IS NULL');
      else {
        conditions.push('owner_key_id = ?');
        parameters.push(filter.ownerKeyId);
      }
    }
    const rows = this.database
      .prepare<Array<string | number>, EventRow>(
        `SELECT * FROM job_events WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT ?`,
      )
      .all(...parameters, limit);
    return rows.map(toEvent);
  }

  async lastSequence(): Promise<number> {
    return this.latest.get()?.sequence ?? 0;
  }

  /** Drops events older than `before`; replay only needs a recent window. */
  prune(before: Date): number {
    return this.pruneStatement.run(before.getTime()).changes;
  }

  async close(): Promise<void> {}
}
