import { migrate, type SqliteDatabase } from '../sqlite/open-database.ts';
import type { AttemptOutcome, DeliveryClaim, NewWebhookDelivery, WebhookDelivery, WebhookOutbox } from './webhook-outbox.ts';

const migrations = [
  `CREATE TABLE webhook_deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     job_id TEXT NOT NULL UNIQUE,
     url TEXT NOT NULL,
     body TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     last_attempt_at INTEGER,
     last_status INTEGER,
     last_error TEXT,
     dispatcher_id TEXT,
     lease_until INTEGER
   );
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);`,
];

type DeliveryRow = {
  id: string;
  job_id: string;
  url: string;
  body: string;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
};

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  jobId: row.job_id,
  url: row.url,
  body: row.body,
  state: row.state as WebhookDelivery['state'],
  attempts: row.attempts,
  createdAt: new Date(row.created_at),
  nextAttemptAt: new Date(row.next_attempt_at),
  lastAttemptAt: row.last_attempt_at === null ? undefined : new Date(row.last_attempt_at),
  lastStatus: row.last_status ?? undefined,
  lastError: row.last_error ?? undefined,
});

/** The outbox as a table in darkroom's embedded database: each write is one committed statement. */
export class SqliteWebhookOutbox implements WebhookOutbox {
  private readonly statements;

  constructor(database: SqliteDatabase) {
    migrate(database, 'webhooks', migrations);
    this.statements = {
      insert: database.prepare(
        `INSERT INTO webhook_deliveries (id, job_id, url, body, state, created_at, next_attempt_at)
         VALUES (@id, @jobId, @url, @body, 'pending', @createdAt, @nextAttemptAt) ON CONFLICT (job_id) DO NOTHING`,
      ),
      findByJobId: database.prepare<[string], DeliveryRow>('SELECT * FROM webhook_deliveries WHERE job_id = ?'),
      // One statement picks and leases, so two dispatchers can never claim the same delivery.
      claim: database.prepare<[string, number, number, number, number, number], DeliveryRow>(
        `UPDATE webhook_deliveries SET dispatcher_id = ?, lease_until = ?, attempts = attempts + 1, last_attempt_at = ?
         WHERE seq IN (
           SELECT seq FROM webhook_deliveries
           WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
           ORDER BY next_attempt_at, seq LIMIT ?
         ) RETURNING *`,
      ),
      recordAttempt: database.prepare(
        `UPDATE webhook_deliveries
         SET state = @state, next_attempt_at = coalesce(@nextAttemptAt, next_attempt_at), last_status = @status, last_error = @error,
             dispatcher_id = NULL, lease_until = NULL
         WHERE id = @id AND dispatcher_id = @dispatcherId AND state = 'pending'`,
      ),
      nextDueAt: database.prepare<[], { at: number | null }>(
        `SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) AS at FROM webhook_deliveries WHERE state = 'pending'`,
      ),
      releaseLeases: database.prepare(
        `UPDATE webhook_deliveries SET dispatcher_id = NULL, lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL`,
      ),
    };
  }

  async record(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    this.statements.insert.run({
      id: delivery.id,
      jobId: delivery.jobId,
      url: delivery.url,
      body: delivery.body,
      createdAt: delivery.createdAt.getTime(),
      nextAttemptAt: delivery.nextAttemptAt.getTime(),
    });
    const row = this.statements.findByJobId.get(delivery.jobId);
    if (!row) throw new Error(`webhook delivery for job ${delivery.jobId} was not stored`);
    return toDelivery(row);
  }

  async claimDue(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    const now = claim.now.getTime();
    const rows = this.statements.claim.all(claim.dispatcherId, claim.leaseUntil.getTime(), now, now, now, claim.limit);
    return rows.map(toDelivery).sort((first, second) => first.nextAttemptAt.getTime() - second.nextAttemptAt.getTime());
  }

  async recordAttempt(deliveryId: string, dispatcherId: string, outcome: AttemptOutcome): Promise<boolean> {
    const result = this.statements.recordAttempt.run({
      id: deliveryId,
      dispatcherId,
      state: outcome.state,
      nextAttemptAt: outcome.state === 'pending' ? outcome.nextAttemptAt.getTime() : null,
      status: outcome.status ?? null,
      error: ('error' in outcome ? outcome.error : undefined) ?? null,
    });
    return result.changes === 1;
  }

  async findByJobId(jobId: string): Promise<WebhookDelivery | undefined> {
    const row = this.statements.findByJobId.get(jobId);
    return row ? toDelivery(row) : undefined;
  }

  async nextDueAt(): Promise<Date | undefined> {
    const at = this.statements.nextDueAt.get()?.at ?? null;
    return at === null ? undefined : new Date(at);
  }

  async releaseLeases(): Promise<number> {
    return this.statements.releaseLeases.run().changes;
  }

  /** The database is shared with the job store and closed by the gateway. */
  async close(): Promise<void> {}
}
