import { isTerminal } from '../domain/job.ts';
import { terminalEventTypes, type JobEvent } from '../domain/job-event.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobStore } from '../jobs/job-store.ts';
import type { BudgetLedger } from './budget-ledger.ts';
import type { CostStore } from './cost-store.ts';
import type { PriceBook } from './price-book.ts';

/**
 * Records every job's cost when it reaches a terminal state, then ends its budget reservation. Events are
 * handled one at a time in sequence order, so the highest recorded sequence is a safe place to resume: at
 * start, terminal events published while no recorder ran (a crash between the job's end and its cost) are
 * replayed from the event bus.
 */
export class CostRecorder {
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      store: JobStore;
      events: EventBus;
      costs: CostStore;
      prices: PriceBook;
      ledger: BudgetLedger;
      log?: (message: string) => void;
    },
  ) {}

  async start(): Promise<void> {
    const { events, costs } = this.options;
    let after = costs.lastSequence();
    // Subscribe first so nothing published during the catch-up is missed; duplicates are ignored.
    this.unsubscribe = events.subscribe({}, (event) => {
      if (terminalEventTypes.includes(event.type)) this.enqueue(event);
    });
    for (;;) {
      const batch = (await events.replay({}, after, 1000)).filter((event) => event.sequence > after);
      if (batch.length === 0) break;
      for (const event of batch) if (terminalEventTypes.includes(event.type)) this.enqueue(event);
      after = batch[batch.length - 1]?.sequence ?? after;
    }
    await this.idle();
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return this.idle();
  }

  /** Resolves once every event handed over so far is recorded (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(event: JobEvent): void {
    this.chain = this.chain.then(() => this.record(event)).catch((error: unknown) => {
      this.options.log?.(`recording the cost of job ${event.jobId} failed: ${(error as Error).message}`);
    });
  }

  private async record(event: JobEvent): Promise<void> {
    const { store, costs, prices, ledger } = this.options;
    if (costs.has(event.jobId)) {
      ledger.release(event.jobId);
      return;
    }
    const job = await store.findById(event.jobId);
    if (!job) {
      ledger.release(event.jobId);
      return;
    }
    if (!isTerminal(job.state)) return;
    const cost = prices.costOf(job);
    costs.record({
      jobId: job.id,
      keyId: job.ownerKeyId,
      model: job.model,
      engineId: job.engineId,
      state: job.state,
      images: job.state === 'succeeded' ? (job.result?.images.length ?? 0) : 0,
      cost,
      usage: job.result?.usage,
      eventSequence: event.sequence,
      createdAt: job.createdAt,
      completedAt: job.completedAt ?? event.at,
    });
    // In the same synchronous step as the insert: the money moves from "reserved" to "spent" at once.
    ledger.release(job.id);
  }
}
