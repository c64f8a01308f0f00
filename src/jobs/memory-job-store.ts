import type { PublicError } from '../domain/gateway-error.ts';
import { isTerminal, type Job, type JobResult, type NewJob } from '../domain/job.ts';
import type { ClaimRequest, JobQuery, JobStore } from './job-store.ts';

type Entry = { job: Job; sequence: number; workerId: string | undefined; leaseUntil: number; runAfter: number };

/** In-process job store for tests and throwaway servers; same contract as the SQLite store. */
export class MemoryJobStore implements JobStore {
  private readonly entries = new Map<string, Entry>();
  private sequence = 0;

  async insert(newJob: NewJob): Promise<Job> {
    if (this.entries.has(newJob.id)) throw new Error(`Job ${newJob.id} already exists`);
    const job: Job = {
      ...newJob,
      state: 'queued',
      result: undefined,
      error: undefined,
      attempts: 0,
      startedAt: undefined,
      completedAt: undefined,
    };
    this.entries.set(job.id, { job, sequence: (this.sequence += 1), workerId: undefined, leaseUntil: 0, runAfter: 0 });
    return structuredClone(job);
  }

  async findById(jobId: string): Promise<Job | undefined> {
    const entry = this.entries.get(jobId);
    return entry ? structuredClone(entry.job) : undefined;
  }

  async list(query: JobQuery): Promise<Job[]> {
    const before = query.beforeJobId ? this.entries.get(query.beforeJobId)?.sequence : undefined;
    return [...this.entries.values()]
      .filter((entry) => query.ownerKeyId === undefined || (entry.job.ownerKeyId ?? null) === query.ownerKeyId)
      .filter((entry) => !query.states || query.states.includes(entry.job.state))
      .filter((entry) => !query.model || entry.job.model === query.model)
      .filter((entry) => !query.completedBefore || (entry.job.completedAt !== undefined && entry.job.completedAt < query.completedBefore))
      .filter((entry) => before === undefined || entry.sequence < before)
      .sort((left, right) => right.sequence - left.sequence)
      .slice(0, query.limit)
      .map((entry) => structuredClone(entry.job));
  }

  async countQueued(): Promise<number> {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.job.state === 'queued') count += 1;
    return count;
  }

  async claimNext(claim: ClaimRequest): Promise<Job | undefined> {
    let next: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (entry.job.state !== 'queued' || !claim.engineIds.includes(entry.job.engineId)) continue;
      if (entry.runAfter > claim.now.getTime()) continue;
      if (!next || entry.sequence < next.sequence) next = entry;
    }
    if (!next) return undefined;
    next.job.state = 'running';
    next.job.attempts += 1;
    next.job.startedAt ??= claim.now;
    next.workerId = claim.workerId;
    next.leaseUntil = claim.leaseUntil.getTime();
    return structuredClone(next.job);
  }

  private held(jobId: string, workerId: string): Entry | undefined {
    const entry = this.entries.get(jobId);
    return entry && entry.job.state === 'running' && entry.workerId === workerId ? entry : undefined;
  }

  async extendLease(jobId: string, workerId: string, leaseUntil: Date): Promise<boolean> {
    const entry = this.held(jobId, workerId);
    if (!entry) return false;
    entry.leaseUntil = leaseUntil.getTime();
    return true;
  }

  async markSucceeded(jobId: string, workerId: string, result: JobResult, now: Date): Promise<boolean> {
    const entry = this.held(jobId, workerId);
    if (!entry) return false;
    Object.assign(entry.job, { state: 'succeeded', result: structuredClone(result), error: undefined, completedAt: now });
    entry.workerId = undefined;
    return true;
  }

  async markFailed(jobId: string, workerId: string, error: PublicError, now: Date, retryAt?: Date): Promise<boolean> {
    const entry = this.held(jobId, workerId);
    if (!entry) return false;
    entry.workerId = undefined;
    if (retryAt) {
      entry.job.state = 'queued';
      entry.job.error = structuredClone(error);
      entry.runAfter = retryAt.getTime();
    } else {
      Object.assign(entry.job, { state: 'failed', error: structuredClone(error), completedAt: now });
    }
    return true;
  }

  async cancel(jobId: string, now: Date): Promise<Job | undefined> {
    const entry = this.entries.get(jobId);
    if (!entry) return undefined;
    if (!isTerminal(entry.job.state)) {
      Object.assign(entry.job, { state: 'cancelled', completedAt: now });
      entry.workerId = undefined;
    }
    return structuredClone(entry.job);
  }

  async requeueExpiredLeases(now: Date): Promise<string[]> {
    const requeued: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.job.state === 'running' && entry.leaseUntil < now.getTime()) {
        entry.job.state = 'queued';
        entry.workerId = undefined;
        entry.runAfter = 0;
        requeued.push(entry.job.id);
      }
    }
    return requeued;
  }

  async delete(jobId: string): Promise<boolean> {
    const entry = this.entries.get(jobId);
    if (!entry || !isTerminal(entry.job.state)) return false;
    return this.entries.delete(jobId);
  }

  async close(): Promise<void> {}
}
