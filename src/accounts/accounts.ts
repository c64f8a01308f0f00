import type { Context, Next } from 'hono';
import type { Principal } from '../auth/authenticator.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import { isTerminal, type Job } from '../domain/job.ts';
import type { JsonObject } from '../domain/json-value.ts';
import type { AppEnv } from '../dialects/shared/app-env.ts';
import type { Route } from '../engines/engine-router.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobStore } from '../jobs/job-store.ts';
import type { SqliteDatabase } from '../sqlite/open-database.ts';
import { BudgetLedger } from './budget-ledger.ts';
import { CostRecorder } from './cost-recorder.ts';
import { CostStore } from './cost-store.ts';
import { IdempotencyGuard } from './idempotency-guard.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { toModelPricing } from './to-model-pricing.ts';
import type { PriceBook } from './price-book.ts';
import { rateLimitHeaders, RequestRateLimiter } from './request-rate-limiter.ts';
import { RetentionPurger, type PurgeReport } from './retention-purger.ts';

/** What dialect code uses of accounts (through `DialectServices.accounts`). */
export interface AccountServices {
  /** Counts a request against the caller's per-minute limit and sets the RateLimit headers; throws a 429 when over. */
  admitRequest(principal: Principal, setHeader: (name: string, value: string) => void): void;
  /** `Idempotency-Key` around a POST: runs `next` once per key, or answers with the remembered response. */
  idempotent(context: Context<AppEnv>, next: Next): Promise<Response | undefined>;
  /** The Oxen catalog's `pricing` object for a model. */
  modelPricing(route: Route): JsonObject;
  /** `{cost_usd}` for a generation object: the recorded cost, null until the job has finished. */
  costFields(job: Job): JsonObject;
}

export type AccountsOptions = {
  database: SqliteDatabase;
  prices: PriceBook;
  store: JobStore;
  events: EventBus;
  blobs: BlobStore;
  maxBodyBytes: number;
  retentionDays: number;
  purgeIntervalMinutes: number;
  now: () => Date;
  log?: (message: string) => void;
};

/**
 * Money and limits: the price book, each job's recorded cost, budgets and concurrency (admission), requests
 * per minute, idempotent submits and retention. Built once by the gateway; its tables share the job database.
 */
export class Accounts implements AccountServices {
  readonly prices: PriceBook;
  readonly costs: CostStore;
  readonly ledger: BudgetLedger;
  readonly recorder: CostRecorder;
  readonly idempotency: IdempotencyStore;
  readonly purger: RetentionPurger;
  private readonly limiter: RequestRateLimiter;
  private readonly guard: IdempotencyGuard;
  private purgeTimer: NodeJS.Timeout | undefined;
  private purging: Promise<PurgeReport | undefined> | undefined;

  constructor(private readonly options: AccountsOptions) {
    const { database, prices, store, events, blobs, now, log } = options;
    this.prices = prices;
    this.costs = new CostStore(database);
    this.ledger = new BudgetLedger({ costs: this.costs, prices, now });
    this.recorder = new CostRecorder({ store, events, costs: this.costs, prices, ledger: this.ledger, ...(log ? { log } : {}) });
    this.idempotency = new IdempotencyStore(database);
    this.guard = new IdempotencyGuard({ store: this.idempotency, maxBodyBytes: options.maxBodyBytes, now });
    this.limiter = new RequestRateLimiter(() => now().getTime());
    this.purger = new RetentionPurger({ store, blobs, idempotency: this.idempotency, retentionDays: options.retentionDays, now });
  }

  /** Records costs missed while stopped, reserves for jobs still in flight, and starts the periodic purge. */
  async start(): Promise<void> {
    await this.recorder.start();
    this.ledger.restore(await this.options.store.list({ states: ['queued', 'running'], limit: 1_000_000 }));
    this.purging = this.purgeNow();
    this.purgeTimer = setInterval(() => {
      this.purging ??= this.purgeNow();
    }, this.options.purgeIntervalMinutes * 60_000);
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.purging;
    await this.recorder.stop();
  }

  admitRequest(principal: Principal, setHeader: (name: string, value: string) => void): void {
    const limits = principal.limits;
    if (!limits || (limits.rpm === undefined && limits.concurrency === undefined)) return;
    const rate = limits.rpm !== undefined ? this.limiter.take(principal.keyId ?? '', limits.rpm) : undefined;
    for (const [name, value] of Object.entries(rateLimitHeaders(limits, rate, this.ledger.liveJobs(principal.keyId)))) setHeader(name, value);
    if (rate && !rate.allowed) {
      throw new GatewayError('rate_limited', `This key may make ${limits.rpm} requests per minute; retry in ${rate.retryAfterSeconds} s`, {
        retryAfterSeconds: rate.retryAfterSeconds,
        details: { limit: 'rpm', rpm: limits.rpm ?? 0 },
      });
    }
  }

  idempotent(context: Context<AppEnv>, next: Next): Promise<Response | undefined> {
    return this.guard.handle(context, next);
  }

  modelPricing(route: Route): JsonObject {
    return toModelPricing(this.prices, route.engine.engineId);
  }

  costFields(job: Job): JsonObject {
    // Costs are recorded when a job ends: a queued or running job has none to look up.
    const recorded = isTerminal(job.state) ? this.costs.find(job.id) : undefined;
    return { cost_usd: recorded ? recorded.cost.usd : null };
  }

  private async purgeNow(): Promise<PurgeReport | undefined> {
    try {
      const report = await this.purger.purge({ dryRun: false });
      if (report.jobs.length + report.uploads.length > 0) {
        this.options.log?.(`retention: purged ${report.jobs.length} job(s) finished before ${report.cutoff} and ${report.uploads.length} upload(s)`);
      }
      return report;
    } catch (error) {
      this.options.log?.(`retention purge failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      this.purging = undefined;
    }
  }
}
