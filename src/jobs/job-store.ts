import type { PublicError } from '../domain/gateway-error.ts';
import type { Job, JobResult, JobState, NewJob } from '../domain/job.ts';

export type JobQuery = {
  /** Absent = every owner (admin); null = jobs submitted without a key (open mode). */
  ownerKeyId?: string | null;
  states?: JobState[];
  model?: string;
  /** Jobs created strictly before this one (cursor for paging, newest first). */
  beforeJobId?: string;
  /** Jobs that finished strictly before this time (retention purges). */
  completedBefore?: Date;
  limit: number;
};

export type ClaimRequest = { workerId: string; leaseUntil: Date; now: Date; engineIds: string[] };

/**
 * Durable job records. The store is the source of truth; workers claim jobs with a lease and every
 * state change after the claim is conditional on still holding it, so a result is written once.
 */
export interface JobStore {
  insert(job: NewJob): Promise<Job>;
  findById(jobId: string): Promise<Job | undefined>;
  list(query: JobQuery): Promise<Job[]>;
  countQueued(): Promise<number>;
  /** Oldest runnable queued job of one of `engineIds`, moved to `running` under the caller's lease. */
  claimNext(claim: ClaimRequest): Promise<Job | undefined>;
  extendLease(jobId: string, workerId: string, leaseUntil: Date): Promise<boolean>;
  /** False when the caller no longer holds the job (lease lost, cancelled): its result is discarded. */
  markSucceeded(jobId: string, workerId: string, result: JobResult, now: Date): Promise<boolean>;
  /** With `retryAt` the job goes back to `queued` to run again then; without, it fails for good. */
  markFailed(jobId: string, workerId: string, error: PublicError, now: Date, retryAt?: Date): Promise<boolean>;
  /** Queued and running jobs become `cancelled`; terminal jobs are returned unchanged. */
  cancel(jobId: string, now: Date): Promise<Job | undefined>;
  /** Running jobs whose lease ended before `now` go back to the queue. Returns their ids. */
  requeueExpiredLeases(now: Date): Promise<string[]>;
  /** Removes a finished job's record (retention); queued and running jobs are never deleted. */
  delete(jobId: string): Promise<boolean>;
  close(): Promise<void>;
}
