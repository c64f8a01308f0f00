import type { JsonObject } from '../domain/json-value.ts';
import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';
import { microsToUsd, type BillingTier, type Cost, type CostBasis, type TokenUsage } from './price-book.ts';

const migrations = [
  `CREATE TABLE job_costs (
     job_id TEXT PRIMARY KEY,
     key_id TEXT,
     model TEXT NOT NULL,
     engine_id TEXT NOT NULL,
     state TEXT NOT NULL,
     images INTEGER NOT NULL,
     usd_micros INTEGER NOT NULL,
     basis TEXT NOT NULL,
     tier TEXT NOT NULL,
     details_json TEXT NOT NULL,
     usage_json TEXT,
     event_sequence INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     completed_at INTEGER NOT NULL
   );
   CREATE INDEX job_costs_key_time ON job_costs (key_id, completed_at);
   CREATE INDEX job_costs_time ON job_costs (completed_at);`,
];

/** One finished job's cost and the usage it was computed from. */
export type CostRecord = {
  jobId: string;
  keyId: string | undefined;
  model: string;
  engineId: string;
  state: string;
  images: number;
  cost: Cost;
  usage: TokenUsage | undefined;
  /** The terminal event it was recorded from: the recorder resumes after the highest one at start. */
  eventSequence: number;
  createdAt: Date;
  completedAt: Date;
};

export type UsageDimension = 'day' | 'model' | 'key' | 'engine' | 'tier';
export const usageDimensions: readonly UsageDimension[] = ['day', 'model', 'key', 'engine', 'tier'];

export type UsageQuery = {
  /** undefined = every key; null = jobs submitted without a key (open mode). */
  keyId?: string | null;
  from: Date;
  /** Exclusive. */
  to: Date;
  groupBy: readonly UsageDimension[];
};

export type UsageRow = Partial<Record<UsageDimension, string | null>> & { jobs: number; images: number; usd: number };

const columns: Record<UsageDimension, string> = {
  day: `strftime('%Y-%m-%d', completed_at / 1000, 'unixepoch')`,
  model: 'model',
  key: 'key_id',
  engine: 'engine_id',
  tier: 'tier',
};

type CostRow = {
  job_id: string;
  key_id: string | null;
  model: string;
  engine_id: string;
  state: string;
  images: number;
  usd_micros: number;
  basis: string;
  tier: string;
  details_json: string;
  usage_json: string | null;
  event_sequence: number;
  created_at: number;
  completed_at: number;
};

const toRecord = (row: CostRow): CostRecord => ({
  jobId: row.job_id,
  keyId: row.key_id ?? undefined,
  model: row.model,
  engineId: row.engine_id,
  state: row.state,
  images: row.images,
  cost: {
    usd: microsToUsd(row.usd_micros),
    micros: row.usd_micros,
    basis: row.basis as CostBasis,
    engineId: row.engine_id,
    tier: row.tier as BillingTier,
    details: JSON.parse(row.details_json) as JsonObject,
  },
  usage: row.usage_json ? (JSON.parse(row.usage_json) as TokenUsage) : undefined,
  eventSequence: row.event_sequence,
  createdAt: new Date(row.created_at),
  completedAt: new Date(row.completed_at),
});

/**
 * The durable cost of every finished job, in its own table keyed by job id. Rows outlive the jobs they
 * describe (retention purges jobs, not billing history). All methods are synchronous so a budget check and
 * its reservation can happen in one uninterrupted step.
 */
export class CostStore {
  private readonly statements;

  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'job_costs', migrations);
    this.statements = {
      insert: database.prepare(
        `INSERT OR IGNORE INTO job_costs (job_id, key_id, model, engine_id, state, images, usd_micros, basis, tier, details_json, usage_json,
           event_sequence, created_at, completed_at)
         VALUES (@jobId, @keyId, @model, @engineId, @state, @images, @micros, @basis, @tier, @details, @usage, @eventSequence, @createdAt, @completedAt)`,
      ),
      find: database.prepare<[string], CostRow>('SELECT * FROM job_costs WHERE job_id = ?'),
      exists: database.prepare<[string], { found: number }>('SELECT 1 AS found FROM job_costs WHERE job_id = ?'),
      lastSequence: database.prepare<[], { sequence: number | null }>('SELECT max(event_sequence) AS sequence FROM job_costs'),
      spentByKey: database.prepare<[string, number], { micros: number | null }>(
        'SELECT sum(usd_micros) AS micros FROM job_costs WHERE key_id = ? AND completed_at >= ?',
      ),
      spentAnonymous: database.prepare<[number], { micros: number | null }>(
        'SELECT sum(usd_micros) AS micros FROM job_costs WHERE key_id IS NULL AND completed_at >= ?',
      ),
    };
  }

  /** False when the job already had a cost (a replayed event): the first record stands. */
  record(entry: CostRecord): boolean {
    return (
      this.statements.insert.run({
        jobId: entry.jobId,
        keyId: entry.keyId ?? null,
        model: entry.model,
        engineId: entry.engineId,
        state: entry.state,
        images: entry.images,
        micros: entry.cost.micros,
        basis: entry.cost.basis,
        tier: entry.cost.tier,
        details: JSON.stringify(entry.cost.details),
        usage: entry.usage ? JSON.stringify(entry.usage) : null,
        eventSequence: entry.eventSequence,
        createdAt: entry.createdAt.getTime(),
        completedAt: entry.completedAt.getTime(),
      }).changes === 1
    );
  }

  find(jobId: string): CostRecord | undefined {
    const row = this.statements.find.get(jobId);
    return row ? toRecord(row) : undefined;
  }

  has(jobId: string): boolean {
    return this.statements.exists.get(jobId) !== undefined;
  }

  lastSequence(): number {
    return this.statements.lastSequence.get()?.sequence ?? 0;
  }

  /** Micro-dollars a key (undefined = anonymous) was charged for jobs finished since `since`. */
  spentMicros(keyId: string | undefined, since: Date): number {
    const row = keyId === undefined ? this.statements.spentAnonymous.get(since.getTime()) : this.statements.spentByKey.get(keyId, since.getTime());
    return row?.micros ?? 0;
  }

  usage(query: UsageQuery): UsageRow[] {
    const conditions = ['completed_at >= ?', 'completed_at < ?'];
    const parameters: Array<string | number> = [query.from.getTime(), query.to.getTime()];
    if (query.keyId === null) conditions.push('key_id IS NULL');
    else if (query.keyId !== undefined) {
      conditions.push('key_id = ?');
      parameters.push(query.keyId);
    }
    const selected = query.groupBy.map((dimension) => `${columns[dimension]} AS "${dimension}"`);
    const grouping = query.groupBy.length > 0 ? `GROUP BY ${query.groupBy.map((dimension) => `"${dimension}"`).join(', ')} ORDER BY ${query.groupBy.map((dimension) => `"${dimension}"`).join(', ')}` : '';
    const rows = this.database
      .prepare<Array<string | number>, Record<string, string | number | null>>(
        `SELECT ${[...selected, 'count(*) AS jobs', 'coalesce(sum(images), 0) AS images', 'coalesce(sum(usd_micros), 0) AS micros'].join(', ')}
         FROM job_costs WHERE ${conditions.join(' AND ')} ${grouping}`,
      )
      .all(...parameters);
    return rows
      .filter((row) => query.groupBy.length > 0 || Number(row.jobs) > 0)
      .map((row) => {
        const usageRow: UsageRow = { jobs: Number(row.jobs), images: Number(row.images), usd: microsToUsd(Number(row.micros)) };
        for (const dimension of query.groupBy) usageRow[dimension] = row[dimension] === null || row[dimension] === undefined ? null : String(row[dimension]);
        return usageRow;
      });
  }
}
