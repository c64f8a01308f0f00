export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed' | 'disabled';

/** One job's webhook: the exact body that is signed and sent, and where its retries stand. */
export type WebhookDelivery = {
  /** The Standard Webhooks `webhook-id`: the same on every attempt, so receivers can dedupe. */
  id: string;
  /** One delivery per job. */
  jobId: string;
  url: string;
  /** The JSON text exactly as signed and sent. */
  body: string;
  createdAt: Date;
  nextAttemptAt: Date;
  /** Attempts started so far (counted when claimed, so a crash mid-send still uses one up). */
  attempts: number;
  state: WebhookDeliveryState;
  lastAttemptAt: Date | undefined;
  lastStatus: number | undefined;
  lastError: string | undefined;
};

export type NewWebhookDelivery = Pick<WebhookDelivery, 'id' | 'jobId' | 'url' | 'body' | 'createdAt' | 'nextAttemptAt'>;

export type DeliveryClaim = { dispatcherId: string; now: Date; leaseUntil: Date; limit: number };

/** What one attempt led to. `pending` schedules the next attempt. */
export type AttemptOutcome =
  | { state: 'delivered'; status: number }
  | { state: 'pending'; nextAttemptAt: Date; status?: number; error?: string }
  | { state: 'failed'; status?: number; error?: string }
  | { state: 'disabled'; status: number };

/**
 * Durable webhook deliveries (the outbox). A delivery is recorded once per finished job and survives
 * restarts; dispatchers claim due ones under a lease so no attempt is sent twice at the same time.
 */
export interface WebhookOutbox {
  /** Records a delivery; when the job already has one, returns that one unchanged. */
  record(delivery: NewWebhookDelivery): Promise<WebhookDelivery>;
  /** Pending deliveries due by `now` and not leased, oldest due first: leased to the caller, `attempts` + 1. */
  claimDue(claim: DeliveryClaim): Promise<WebhookDelivery[]>;
  /** Applies an attempt's outcome; false when the caller no longer holds the lease. */
  recordAttempt(deliveryId: string, dispatcherId: string, outcome: AttemptOutcome): Promise<boolean>;
  findByJobId(jobId: string): Promise<WebhookDelivery | undefined>;
  /** When the earliest pending delivery becomes claimable (its due time, or its lease's end). */
  nextDueAt(): Promise<Date | undefined>;
  /** Frees every lease: at start, one process owns the store, so leases left behind belong to a dead one. */
  releaseLeases(): Promise<number>;
  close(): Promise<void>;
}
