import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Webhook } from 'standardwebhooks';
import type { SignedBlobUrls } from '../blobs/signed-blob-urls.ts';
import type { Dialect } from '../dialects/dialect.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import type { Job } from '../domain/job.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobStore } from '../jobs/job-store.ts';
import type { SafeFetch } from '../net/safe-fetch.ts';
import { decideAttemptOutcome, type AttemptResult } from './decide-attempt-outcome.ts';
import type { WebhookDelivery, WebhookOutbox } from './webhook-outbox.ts';

export type WebhookServiceOptions = {
  outbox: WebhookOutbox;
  store: JobStore;
  events: EventBus;
  dialects: readonly Dialect[];
  /** Signs result URLs in payloads; give it a TTL that outlives the retry schedule. */
  urls: SignedBlobUrls;
  fetch: SafeFetch;
  /** `whsec_…` */
  secret: string;
  /** Delay in seconds before each attempt; the first is counted from the job's completion. */
  retryScheduleSeconds: readonly number[];
  requestTimeoutMs: number;
  /** Deliveries sent at once. */
  concurrency?: number;
  /** Safety-net poll; recording a delivery wakes the dispatcher at once. */
  pollIntervalMs?: number;
  /** Start-up reconciliation looks at jobs created this far back, newest first, at most `reconcileLimit`. */
  reconcileWindowMs?: number;
  reconcileLimit?: number;
  now: () => Date;
  random?: () => number;
  log?: (message: string) => void;
};

/** Dialects notify on success and failure, as fal and WaveSpeed do; cancellations send nothing. */
const notifiedStates = new Set<Job['state']>(['succeeded', 'failed']);
const reconcilePageSize = 200;

/**
 * Durable, signed webhooks. A finished job with a webhook URL gets one outbox record holding the exact body
 * (in its dialect's shape); a dispatcher sends due records with Standard Webhooks signatures through the
 * SSRF-safe fetch and retries them on the schedule. Records survive restarts; start-up reconciliation covers
 * a crash between a job finishing and its record being written.
 */
export class WebhookService {
  readonly dispatcherId = `webhooks-${randomUUID()}`;
  private readonly signer: Webhook;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<void>>();
  private shutdown = new AbortController();
  private stopped = true;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: WebhookServiceOptions) {
    if (options.retryScheduleSeconds.length === 0) throw new Error('the webhook retry schedule needs at least one attempt');
    this.signer = new Webhook(options.secret);
  }

  get outbox(): WebhookOutbox {
    return this.options.outbox;
  }

  /** Subscribes to job completions, frees leases of a previous process, reconciles, and starts dispatching. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.shutdown = new AbortController();
    // Every send in flight listens on it; more than Node's default warning threshold of 10 is expected.
    setMaxListeners(0, this.shutdown.signal);
    await this.options.outbox.releaseLeases();
    this.unsubscribe = this.options.events.subscribe({}, (event) => {
      if (event.type === 'job-succeeded' || event.type === 'job-failed') this.track(this.recordForJob(event.jobId));
    });
    this.loopDone = this.loop();
    await this.reconcile();
  }

  /** Stops dispatching; sends still running get `graceMs` to finish, then are aborted and retried on the next start. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.wake();
    await this.loopDone;
    await Promise.all(this.background);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(this.inFlight.values()), grace]);
    this.shutdown.abort();
    await Promise.all(this.inFlight.values());
  }

  /** Records the job's delivery if it finished, has a webhook URL and has none yet. Idempotent. */
  async recordForJob(jobId: string): Promise<WebhookDelivery | undefined> {
    const { store, outbox, dialects, urls, now, retryScheduleSeconds } = this.options;
    const job = await store.findById(jobId);
    if (!job?.origin.webhookUrl || !notifiedStates.has(job.state)) return undefined;
    const existing = await outbox.findByJobId(job.id);
    if (existing) return existing;
    const dialect = dialects.find((candidate) => candidate.dialectId === job.origin.dialect);
    if (!dialect?.toWebhookPayload) {
      this.options.log?.(`job ${job.id} asked for a webhook, but dialect ${job.origin.dialect} has no webhook payload`);
      return undefined;
    }
    const body = JSON.stringify(dialect.toWebhookPayload(job, urls));
    const createdAt = now();
    const delivery = await outbox.record({
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      jobId: job.id,
      url: job.origin.webhookUrl,
      body,
      createdAt,
      nextAttemptAt: new Date(createdAt.getTime() + (retryScheduleSeconds[0] ?? 0) * 1000),
    });
    this.wake();
    return delivery;
  }

  /**
   * Finished jobs with a webhook URL but no delivery: the process died after the job was stored and before
   * the outbox write. Bounded: jobs created within the window, newest first, at most `reconcileLimit`.
   */
  async reconcile(): Promise<number> {
    const { store, now } = this.options;
    const since = now().getTime() - (this.options.reconcileWindowMs ?? 7 * 24 * 3600 * 1000);
    const limit = this.options.reconcileLimit ?? 5000;
    let recorded = 0;
    let scanned = 0;
    let before: string | undefined;
    while (scanned < limit) {
      const page = await store.list({ states: ['succeeded', 'failed'], limit: Math.min(reconcilePageSize, limit - scanned), ...(before ? { beforeJobId: before } : {}) });
      for (const job of page) {
        if (!job.origin.webhookUrl || (await this.options.outbox.findByJobId(job.id))) continue;
        if (await this.recordForJob(job.id)) recorded += 1;
      }
      scanned += page.length;
      const last = page[page.length - 1];
      if (!last || page.length < reconcilePageSize || last.createdAt.getTime() < since) break;
      before = last.id;
    }
    if (recorded > 0) this.options.log?.(`recorded ${recorded} webhook delivery(ies) missed before a restart`);
    return recorded;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      (error: unknown) => this.options.log?.(`recording a webhook failed: ${(error as Error).message}`),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private async loop(): Promise<void> {
    const { outbox, now, requestTimeoutMs } = this.options;
    const concurrency = this.options.concurrency ?? 16;
    const pollIntervalMs = this.options.pollIntervalMs ?? 5000;
    while (!this.stopped) {
      const wakeSignal = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
      const free = concurrency - this.inFlight.size;
      let waitMs = pollIntervalMs;
      try {
        if (free > 0) {
          const current = now();
          // The lease outlives the request timeout, so it never ends while this process is still sending.
          const leaseUntil = new Date(current.getTime() + requestTimeoutMs + 30_000);
          const claimed = await outbox.claimDue({ dispatcherId: this.dispatcherId, now: current, leaseUntil, limit: free });
          for (const delivery of claimed) this.launch(delivery);
          if (claimed.length === free) continue;
          const nextDue = await outbox.nextDueAt();
          if (nextDue) waitMs = Math.min(pollIntervalMs, Math.max(5, nextDue.getTime() - now().getTime()));
        }
      } catch (error) {
        this.options.log?.(`claiming webhook deliveries failed: ${(error as Error).message}`);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([wakeSignal, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
  }

  private launch(delivery: WebhookDelivery): void {
    const done = this.attempt(delivery)
      .catch((error: unknown) => this.options.log?.(`webhook ${delivery.id} attempt failed: ${(error as Error).message}`))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.wake();
      });
    this.inFlight.set(delivery.id, done);
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const { fetch, now, requestTimeoutMs } = this.options;
    const sentAt = now();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': this.signer.sign(delivery.id, sentAt, delivery.body),
    };
    let result: AttemptResult;
    try {
      const response = await fetch.request(delivery.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        timeoutMs: requestTimeoutMs,
        signal: this.shutdown.signal,
        field: 'webhook_url',
      });
      result = { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), bodyText: response.bodyText };
    } catch (error) {
      result = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
      // Cut short by shutdown: not the receiver's fault, so try again as soon as the server is back.
      if (GatewayError.is(error) && error.code === 'cancelled') {
        await this.options.outbox.recordAttempt(delivery.id, this.dispatcherId, { state: 'pending', nextAttemptAt: now(), error: result.message });
        return;
      }
    }
    const outcome = decideAttemptOutcome({
      result,
      attempts: delivery.attempts,
      scheduleSeconds: this.options.retryScheduleSeconds,
      now: now(),
      random: this.options.random ?? Math.random,
    });
    await this.options.outbox.recordAttempt(delivery.id, this.dispatcherId, outcome);
    if (outcome.state === 'failed') this.options.log?.(`webhook ${delivery.id} for job ${delivery.jobId} gave up after ${delivery.attempts} attempt(s): ${outcome.error ?? ''}`);
  }
}
