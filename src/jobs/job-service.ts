import type { Principal } from '../auth/authenticator.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import type { ImageRequest, ImageRequestDraft } from '../domain/image-request.ts';
import { newId } from '../domain/ids.ts';
import { isTerminal, type Job, type JobOrigin } from '../domain/job.ts';
import { terminalEventTypes } from '../domain/job-event.ts';
import type { EngineRouter } from '../engines/engine-router.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ImageIngestor } from './ingest-images.ts';
import type { JobCredentials } from './job-credentials.ts';
import type { JobQuery, JobStore } from './job-store.ts';


export type SubmitOptions = {
  principal: Principal;
  origin: JobOrigin;
  /** How many jobs to create from the one request (Oxen `num_generations`); they share the stored inputs. */
  copies?: number;
  ephemeral?: boolean;
  /**
   * The client's disconnect signal, which aborts input downloads. A getter: it is read only when there are
   * inputs to load, because the signal costs a full WHATWG Request on node:http.
   */
  signal?: () => AbortSignal;
  /** A pure final step once the inputs' sizes are known (WaveSpeed snaps an absent `aspect_ratio` to the first input). */
  adjustRequest?: (request: ImageRequest) => ImageRequest;
  /** Per-request upstream secrets (BYOK, e.g. `openaiApiKey`): kept in memory for the engine, never stored. */
  credentials?: Record<string, string>;
};

/**
 * Per-key admission (budgets, concurrent jobs: accounts/). `admit` runs synchronously before any fetch or
 * write and throws to refuse; what it reserved is settled with the jobs that were created (none on failure).
 */
export type AdmissionPolicy = {
  admit(request: { principal: Principal; draft: ImageRequestDraft; engineId: string; copies: number }): { settle(jobs: Job[]): void };
};

/**
 * The one path every dialect submits through: route, check capacity, ingest images, record the job
 * durably, announce it. Sync endpoints submit and then {@link JobService.waitForTerminal}.
 */
export class JobService {
  constructor(
    private readonly options: {
      store: JobStore;
      events: EventBus;
      blobs: BlobStore;
      router: EngineRouter;
      ingestor: ImageIngestor;
      queueCapacity: number;
      now: () => Date;
      credentials?: JobCredentials;
      admission?: AdmissionPolicy;
      log?: (message: string) => void;
    },
  ) {}

  async submit(draft: ImageRequestDraft, submitOptions: SubmitOptions): Promise<Job[]> {
    const { store, router, ingestor, events, now } = this.options;
    const { model, engine } = router.resolve(draft.model);
    const kind = draft.inputImages.length > 0 ? 'edit' : 'generate';
    if (model.requiresInputImages && kind === 'generate') {
      throw GatewayError.invalid('input_image', `model ${model.id} edits images: at least one input image is required`);
    }
    if (!model.operations.includes(kind) || !engine.capabilities[kind]) {
      throw GatewayError.invalid('model', `model ${model.id} (engine ${engine.engineId}) does not support ${kind} requests`);
    }
    if (draft.mask && !engine.capabilities.mask) {
      throw GatewayError.invalid('mask', `engine ${engine.engineId} does not support masks`);
    }
    if (draft.inputImages.length > engine.capabilities.maxInputImages) {
      throw GatewayError.invalid('input_image', `engine ${engine.engineId} accepts at most ${engine.capabilities.maxInputImages} input images`);
    }
    const copies = submitOptions.copies ?? 1;
    // Checked before any fetch or write so an overloaded server sheds load cheaply.
    if ((await store.countQueued()) + copies > this.options.queueCapacity) {
      throw new GatewayError('queue_full', 'The queue is full; retry later', { retryAfterSeconds: 5 });
    }

    const admitted = this.options.admission?.admit({ principal: submitOptions.principal, draft, engineId: engine.engineId, copies });
    const { request: ingested, blobKeys } = await ingestor.ingest(draft, draft.inputImages.length > 0 || draft.mask ? submitOptions.signal?.() : undefined).catch((error: unknown) => {
      admitted?.settle([]);
      throw error;
    });
    const request = submitOptions.adjustRequest?.(ingested) ?? ingested;
    const jobs: Job[] = [];
    let pendingId: string | undefined;
    try {
      for (let copy = 0; copy < copies; copy += 1) {
        pendingId = newId();
        // Before the insert: the runner may claim the job as soon as it is stored.
        if (submitOptions.credentials) this.options.credentials?.set(pendingId, submitOptions.credentials);
        jobs.push(
          await store.insert({
            id: pendingId,
            ownerKeyId: submitOptions.principal.keyId,
            kind,
            model: model.id,
            engineId: engine.engineId,
            request,
            origin: submitOptions.origin,
            ephemeral: submitOptions.ephemeral ?? false,
            createdAt: now(),
          }),
        );
      }
    } catch (error) {
      admitted?.settle(jobs);
      if (pendingId) this.options.credentials?.delete(pendingId);
      if (jobs.length === 0) await Promise.all(blobKeys.map((key) => this.options.blobs.delete(key)));
      throw error;
    }
    admitted?.settle(jobs);
    // The jobs are durable now, which is what the answer promises; their announcements commit in the next
    // group and reach subscribers (and the runner) from there, without holding the answer back a turn.
    for (const job of jobs) {
      events.publish({ type: 'job-queued', jobId: job.id, ownerKeyId: job.ownerKeyId, model: job.model, at: now(), data: {} }).catch((error: unknown) => {
        this.options.log?.(`announcing job ${job.id} failed (the runner's poll still finds it): ${(error as Error).message}`);
      });
    }
    return jobs;
  }

  /** The job, if the principal may see it; otherwise the same not-found as a missing job. */
  async get(jobId: string, principal: Principal): Promise<Job> {
    const job = await this.options.store.findById(jobId);
    if (!job || !canSee(principal, job)) throw new GatewayError('not_found', `Job not found: ${jobId}`, { field: 'id' });
    return job;
  }

  async list(principal: Principal, query: Omit<JobQuery, 'ownerKeyId'>): Promise<Job[]> {
    return this.options.store.list(principal.admin ? query : { ...query, ownerKeyId: principal.keyId ?? null });
  }

  async cancel(jobId: string, principal: Principal): Promise<Job> {
    const job = await this.get(jobId, principal);
    if (isTerminal(job.state)) return job;
    const { now, events } = this.options;
    const cancelled = (await this.options.store.cancel(jobId, now())) ?? job;
    if (cancelled.state === 'cancelled') {
      this.options.credentials?.delete(jobId);
      await events.publish({ type: 'job-cancelled', jobId, ownerKeyId: job.ownerKeyId, model: job.model, at: now(), data: {} });
    }
    return cancelled;
  }

  /** Resolves with the job once it is terminal, or with its current state when `timeoutMs` passes. */
  async waitForTerminal(jobId: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Job> {
    const { store, events } = this.options;
    return new Promise<Job>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        store.findById(jobId).then((job) => (job ? resolve(job) : reject(new GatewayError('not_found', `Job not found: ${jobId}`))), reject);
      };
      const onAbort = () => finish();
      const unsubscribe = events.subscribe({ jobId }, (event) => {
        if (terminalEventTypes.includes(event.type)) finish();
      });
      const timer = setTimeout(finish, options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Subscribed first, then checked: a job that finished in between is not missed.
      store.findById(jobId).then((job) => {
        if (!job || isTerminal(job.state)) finish();
      }, reject);
    });
  }
}

export const canSee = (principal: Principal, job: Job): boolean => principal.admin || job.ownerKeyId === principal.keyId;
