import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/authenticator.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import type { ImageRequestDraft } from '../domain/image-request.ts';
import { isTerminal, type Job } from '../domain/job.ts';
import type { AdmissionPolicy } from '../jobs/job-service.ts';
import type { CostStore } from './cost-store.ts';
import { microsToUsd, usdToMicros, type PriceBook } from './price-book.ts';

type Reservation = { owner: string; micros: number; jobs: number };
type Totals = { micros: number; jobs: number };

/** Seconds a client is told to wait when its key has too many jobs in flight. */
const concurrencyRetryAfterSeconds = 2;

const ownerOf = (keyId: string | undefined): string => keyId ?? '';
const formatUsd = (micros: number): string => `$${microsToUsd(micros).toFixed(micros % 10_000 === 0 ? 2 : 4)}`;

/** Midnight UTC on the first day of `now`'s month: budgets are per calendar month (UTC). */
export const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

/**
 * Every queued or running job's estimated cost, per key, held in memory. Admission is one synchronous
 * check-and-reserve (spent this month + reserved + this request ≤ budget; live jobs + copies ≤ concurrency),
 * so parallel submits cannot all slip past the same remaining budget. A reservation ends when the job's real
 * cost is recorded ({@link BudgetLedger.release}); at start it is rebuilt from the store's live jobs.
 */
export class BudgetLedger implements AdmissionPolicy {
  private readonly reservations = new Map<string, Reservation>();
  private readonly totals = new Map<string, Totals>();

  constructor(private readonly options: { costs: CostStore; prices: PriceBook; now: () => Date }) {}

  admit(request: { principal: Principal; draft: ImageRequestDraft; engineId: string; copies: number }): { settle(jobs: Job[]): void } {
    const { principal, draft, engineId, copies } = request;
    const owner = ownerOf(principal.keyId);
    const perJob = this.options.prices.estimate(engineId, draft).micros;
    const limits = principal.limits;
    const current = this.totalsOf(owner);
    if (limits?.concurrency !== undefined && current.jobs + copies > limits.concurrency) {
      throw new GatewayError(
        'rate_limited',
        `This key may have at most ${limits.concurrency} queued or running jobs and has ${current.jobs}; retry when one finishes`,
        { retryAfterSeconds: concurrencyRetryAfterSeconds, details: { limit: 'concurrency', concurrency: limits.concurrency, live_jobs: current.jobs } },
      );
    }
    if (limits?.monthlyBudgetUsd !== undefined) {
      const budget = usdToMicros(limits.monthlyBudgetUsd);
      const spent = this.options.costs.spentMicros(principal.keyId, monthStart(this.options.now()));
      const needed = perJob * copies;
      if (spent + current.micros + needed > budget) {
        throw new GatewayError(
          'payment_required',
          `This request would exceed the key's monthly budget of ${formatUsd(budget)}: ${formatUsd(spent)} spent this month (UTC), ` +
            `${formatUsd(current.micros)} reserved for queued and running jobs, and this request is estimated at ${formatUsd(needed)}. ` +
            'An operator can raise the budget (darkroom keys set-budget).',
          {
            details: {
              monthly_budget_usd: microsToUsd(budget),
              spent_usd: microsToUsd(spent),
              reserved_usd: microsToUsd(current.micros),
              estimate_usd: microsToUsd(needed),
            },
          },
        );
      }
    }
    const ticket = `pending:${randomUUID()}`;
    this.add(ticket, { owner, micros: perJob * copies, jobs: copies });
    let settled = false;
    return {
      settle: (jobs) => {
        if (settled) return;
        settled = true;
        this.remove(ticket);
        // A job whose cost is already recorded finished before it was settled: nothing left to reserve.
        for (const job of jobs) if (!this.options.costs.has(job.id)) this.add(job.id, { owner, micros: perJob, jobs: 1 });
      },
    };
  }

  /** The job's real cost is recorded (or it never ran): its reservation ends. */
  release(jobId: string): void {
    this.remove(jobId);
  }

  /** Reserves for jobs left queued or running by a previous process. */
  restore(jobs: Job[]): void {
    for (const job of jobs) {
      if (isTerminal(job.state) || this.reservations.has(job.id) || this.options.costs.has(job.id)) continue;
      const micros = this.options.prices.estimate(job.engineId, job.request).micros;
      this.add(job.id, { owner: ownerOf(job.ownerKeyId), micros, jobs: 1 });
    }
  }

  /** Queued or running jobs (including submits still ingesting) of a key. */
  liveJobs(keyId: string | undefined): number {
    return this.totalsOf(ownerOf(keyId)).jobs;
  }

  reservedMicros(keyId: string | undefined): number {
    return this.totalsOf(ownerOf(keyId)).micros;
  }

  private totalsOf(owner: string): Totals {
    return this.totals.get(owner) ?? { micros: 0, jobs: 0 };
  }

  private add(id: string, reservation: Reservation): void {
    this.reservations.set(id, reservation);
    const totals = this.totalsOf(reservation.owner);
    this.totals.set(reservation.owner, { micros: totals.micros + reservation.micros, jobs: totals.jobs + reservation.jobs });
  }

  private remove(id: string): void {
    const reservation = this.reservations.get(id);
    if (!reservation) return;
    this.reservations.delete(id);
    const totals = this.totalsOf(reservation.owner);
    const next = { micros: totals.micros - reservation.micros, jobs: totals.jobs - reservation.jobs };
    if (next.jobs <= 0) this.totals.delete(reservation.owner);
    else this.totals.set(reservation.owner, next);
  }
}
