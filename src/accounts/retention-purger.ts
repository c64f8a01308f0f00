import type { BlobStore } from '../blobs/blob-store.ts';
import { terminalStates, type Job } from '../domain/job.ts';
import type { JobStore } from '../jobs/job-store.ts';
import { idempotencyWindowMs } from './idempotency-guard.ts';
import type { IdempotencyStore } from './idempotency-store.ts';

const dayMs = 24 * 60 * 60 * 1000;
const batchSize = 500;
/** Live jobs are bounded by the queue capacity; this only guards against a runaway read. */
const maxLiveJobs = 1_000_000;

export type PurgedJob = { id: string; state: string; completedAt: string | undefined; blobs: string[] };

export type PurgeReport = {
  dryRun: boolean;
  cutoff: string;
  jobs: PurgedJob[];
  /** Client uploads (fal/WaveSpeed storage, OpenAI files) older than the cutoff. */
  uploads: string[];
  /** Input blobs of expired jobs kept because a queued or running job still uses them. */
  keptForLiveJobs: string[];
  /** Idempotency records past their 24 h window. */
  idempotentResponses: number;
};

/**
 * Retention: finished jobs older than `retentionDays` go together with their blobs (results, partial renders,
 * inputs), and so do uploads older than that. A blob a queued or running job still references is never
 * deleted — copies of one request share their inputs. Blobs go first, then the row, so an interrupted purge
 * leaves rows whose blobs are gone (removed next time), never blobs without a row. Job costs stay: they are
 * billing history.
 */
export class RetentionPurger {
  constructor(
    private readonly options: {
      store: JobStore;
      blobs: BlobStore;
      idempotency: IdempotencyStore | undefined;
      /** 0 = keep everything. */
      retentionDays: number;
      now: () => Date;
      uploadPrefixes?: readonly string[];
    },
  ) {}

  async purge(options: { dryRun: boolean }): Promise<PurgeReport> {
    const { store, blobs, now, retentionDays } = this.options;
    const cutoff = new Date(now().getTime() - retentionDays * dayMs);
    const report: PurgeReport = { dryRun: options.dryRun, cutoff: cutoff.toISOString(), jobs: [], uploads: [], keptForLiveJobs: [], idempotentResponses: 0 };
    if (!options.dryRun) report.idempotentResponses = this.options.idempotency?.purge(new Date(now().getTime() - idempotencyWindowMs)) ?? 0;
    if (retentionDays === 0) return report;

    const live = await store.list({ states: ['queued', 'running'], limit: maxLiveJobs });
    const referencedByLive = new Set(live.flatMap(referencedBlobKeys));
    // One listing of the store: results and partial renders are grouped by job id, uploads checked by age.
    const keysByJob = new Map<string, string[]>();
    const uploadPrefixes = this.options.uploadPrefixes ?? ['uploads/'];
    const uploadKeys: string[] = [];
    for (const key of await blobs.list('')) {
      const match = /^(?:results|partials)\/([^/]+)\//.exec(key);
      if (match?.[1]) keysByJob.set(match[1], [...(keysByJob.get(match[1]) ?? []), key]);
      else if (uploadPrefixes.some((prefix) => key.startsWith(prefix))) uploadKeys.push(key);
    }

    const deleted = new Set<string>();
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      // A real run deletes each batch, so it asks again from the top; a dry run pages with a cursor.
      const page = options.dryRun && cursor ? { beforeJobId: cursor } : {};
      const batch = await store.list({ states: [...terminalStates], completedBefore: cutoff, limit: batchSize, ...page });
      const fresh = batch.filter((job) => !seen.has(job.id));
      if (fresh.length === 0) break;
      for (const job of fresh) {
        seen.add(job.id);
        const owned = [...(keysByJob.get(job.id) ?? []), ...(job.result?.images.map((image) => image.blobKey) ?? []), ...referencedBlobKeys(job)];
        const blobKeys: string[] = [];
        for (const key of new Set(owned)) {
          if (referencedByLive.has(key)) {
            if (!report.keptForLiveJobs.includes(key)) report.keptForLiveJobs.push(key);
          } else if (!deleted.has(key)) blobKeys.push(key);
        }
        if (!options.dryRun) {
          for (const key of blobKeys) await blobs.delete(key);
          await store.delete(job.id);
        }
        for (const key of blobKeys) deleted.add(key);
        report.jobs.push({ id: job.id, state: job.state, completedAt: job.completedAt?.toISOString(), blobs: blobKeys });
      }
      if (batch.length < batchSize) break;
      cursor = batch[batch.length - 1]?.id;
    }

    for (const key of uploadKeys) {
      if (referencedByLive.has(key)) continue;
      const storedAt = await blobs.storedAt(key);
      if (!storedAt || storedAt >= cutoff) continue;
      if (!options.dryRun) await blobs.delete(key);
      report.uploads.push(key);
    }
    return report;
  }
}

/** Blobs a job reads: its stored inputs and mask. */
const referencedBlobKeys = (job: Job): string[] => [
  ...job.request.inputImages.map((image) => image.blobKey),
  ...(job.request.mask ? [job.request.mask.blobKey] : []),
];
