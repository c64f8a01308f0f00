import { terminalEventTypes, type JobEvent, type NewJobEvent } from '../domain/job-event.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { groupCommitFor, type GroupCommit } from '../sqlite/group-commit.ts';
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
  private readonly group: GroupCommit;
  private lastDispatched: number;

  constructor(private readonly database: SqliteDatabase) {
    this.group = groupCommitFor(database);
    migrate(database, 'events', migrations);
    this.insert = database.prepare<[string, string, string | null, string, number, string]>(
      `INSERT INTO job_events (type, job_id, owner_key_id, model, at, data_json) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.latest = database.prepare<[], { sequence: number | null }>('SELECT max(sequence) AS sequence FROM job_events');
    this.pruneStatement = database.prepare<[number]>('DELETE FROM job_events WHERE at < ?');
    this.lastDispatched = this.latest.get()?.sequence ?? 0;
  }

  async publish(newEvent: NewJobEvent): Promise<JobEvent> {
    const data = JSON.stringify(newEvent.data);
    const write = () =>
      this.insert.run(newEvent.type, newEvent.jobId, newEvent.ownerKeyId ?? null, newEvent.model, newEvent.at.getTime(), data).lastInsertRowid;
    let sequence: number | bigint;
    if (terminalEventTypes.includes(newEvent.type)) {
      // A terminal event follows the job's terminal write at once, not a loop turn later: a crash in between
      // would leave a finished job whose webhook and cost record (both driven by this event) never happen.
      // What is pending commits first, so sequences keep publishing order.
      this.group.flush();
      sequence = write();
      // Dispatched in its place among the group's writes, so subscribers still see events in sequence order.
      await this.group.run(() => undefined);
    } else {
      // Group-committed with the other writes of this loop turn; subscribers hear of it once it is durable.
      sequence = await this.group.run(write);
    }
    const event: JobEvent = { ...newEvent, sequence: Number(sequence) };
    this.lastDispatched = Math.max(this.lastDispatched, event.sequence);
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

  /**
   * The newest sequence subscribers have been handed — not the newest row: an event committed but not yet
   * dispatched must count as still to come, or a stream starting "from now" would skip it.
   */
  async lastSequence(): Promise<number> {
    return this.lastDispatched;
  }

  /** Drops events older than `before`; replay only needs a recent window. */
  prune(before: Date): number {
    return this.pruneStatement.run(before.getTime()).changes;
  }

  async close(): Promise<void> {}
}
