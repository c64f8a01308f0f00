import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../blobs/blob-store.ts';
import { GatewayError, toGatewayError, toPublicError } from '../domain/gateway-error.ts';
import type { ImageSize, StoredImage } from '../domain/image-request.ts';
import type { EngineWarning, Job, JobResult, ResultImage } from '../domain/job.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { fitSizeToLimits } from '../domain/size-rules.ts';
import type { EngineRouter } from '../engines/engine-router.ts';
import type { EngineImage, ImageEngine } from '../engines/image-engine.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobCredentials } from './job-credentials.ts';
import type { JobStore } from './job-store.ts';

export type JobRunnerOptions = {
  store: JobStore;
  events: EventBus;
  blobs: BlobStore;
  router: EngineRouter;
  /** Jobs one engine may run at once; engines not listed get `defaultConcurrency`. */
  concurrency: Record<string, number>;
  defaultConcurrency: (engine: ImageEngine) => number;
  leaseMs: number;
  engineTimeoutMs: number;
  maxAttempts: number;
  /** Safety-net poll; new jobs normally wake the runner through the event bus at once. */
  pollIntervalMs?: number;
  now: () => Date;
  log?: (message: string) => void;
  /** Per-request secrets handed to the engine; dropped once the job has ended. */
  credentials?: JobCredentials;
};

const formatFromMediaType = (mediaType: string): ResultImage['format'] =>
  mediaType === 'image/jpeg' ? 'jpeg' : mediaType === 'image/webp' ? 'webp' : 'png';

/** Retry delays grow 2 s, 4 s, 8 s … capped at 60 s, with jitter so retries don't arrive in lockstep. */
const retryDelayMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

/**
 * Claims jobs under a lease, runs them on their engine and records the outcome exactly once: every write
 * after the claim is conditional on still holding the lease, and result blobs are keyed by job id.
 */
export class JobRunner {
  readonly workerId = `worker-${randomUUID()}`;
  private readonly running = new Map<string, { engineId: string; controller: AbortController; done: Promise<void> }>();
  private stopped = true;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: JobRunnerOptions) {}

  /**
   * Starts claiming. A single process owns the embedded store, so every job still marked running at start
   * belongs to a dead process and goes straight back to the queue (no waiting for its lease to expire).
   */
  async start(options: { recoverAllRunning: boolean }): Promise<void> {
    const { store, events, now } = this.options;
    const recovered = await store.requeueExpiredLeases(options.recoverAllRunning ? new Date(8.64e15) : now());
    if (recovered.length > 0) this.options.log?.(`re-queued ${recovered.length} job(s) left running by a previous process`);
    this.stopped = false;
    this.unsubscribe = events.subscribe({}, (event) => {
      if (event.type === 'job-queued') this.wake();
      if (event.type === 'job-cancelled') this.running.get(event.jobId)?.controller.abort(new GatewayError('cancelled', 'Job cancelled'));
    });
    this.sweepTimer = setInterval(() => {
      void store.requeueExpiredLeases(now()).then((ids) => ids.length > 0 && this.wake());
    }, this.options.leaseMs);
    this.sweepTimer.unref();
    this.loopDone = this.loop();
  }

  /** Stops claiming and waits up to `graceMs` for running jobs; unfinished ones are re-queued by their lease. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.sweepTimer);
    this.wake();
    await this.loopDone;
    const pending = [...this.running.values()];
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(pending.map((entry) => entry.done)), grace]);
    for (const entry of this.running.values()) entry.controller.abort(new GatewayError('cancelled', 'Server shutting down'));
  }

  get activeJobCount(): number {
    return this.running.size;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private freeEngineIds(): string[] {
    const { router, concurrency, defaultConcurrency } = this.options;
    return router.engineIds().filter((engineId) => {
      const engine = router.engine(engineId);
      if (!engine) return false;
      const limit = concurrency[engineId] ?? defaultConcurrency(engine);
      let active = 0;
      for (const entry of this.running.values()) if (entry.engineId === engineId) active += 1;
      return active < limit;
    });
  }

  private async loop(): Promise<void> {
    const { store, now, leaseMs } = this.options;
    while (!this.stopped) {
      const wakeSignal = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
      let claimed: Job | undefined;
      try {
        const engineIds = this.freeEngineIds();
        claimed = engineIds.length > 0
          ? await store.claimNext({ workerId: this.workerId, now: now(), leaseUntil: new Date(now().getTime() + leaseMs), engineIds })
          : undefined;
      } catch (error) {
        this.options.log?.(`claiming a job failed: ${(error as Error).message}`);
      }
      if (claimed) {
        this.launch(claimed);
        continue;
      }
      const poll = new Promise<void>((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 1000).unref());
      await Promise.race([wakeSignal, poll]);
    }
  }

  private launch(job: Job): void {
    const controller = new AbortController();
    const entry = { engineId: job.engineId, controller, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.execute(job, controller).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
  }

  private async publish(job: Job, type: 'job-started' | 'job-progress' | 'job-partial-image' | 'job-succeeded' | 'job-failed', data: JsonObject): Promise<void> {
    await this.options.events.publish({ type, jobId: job.id, ownerKeyId: job.ownerKeyId, model: job.model, at: this.options.now(), data });
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
    const { store, blobs, router, now, leaseMs } = this.options;
    const heartbeat = setInterval(() => {
      void store.extendLease(job.id, this.workerId, new Date(now().getTime() + leaseMs)).then((held) => {
        if (!held) controller.abort(new GatewayError('cancelled', 'Lease lost'));
      });
    }, Math.max(500, Math.floor(leaseMs / 3)));
    const timeout = setTimeout(
      () => controller.abort(new GatewayError('timeout', `The engine did not finish within ${Math.round(this.options.engineTimeoutMs / 1000)} s`)),
      this.options.engineTimeoutMs,
    );
    try {
      const engine = router.engine(job.engineId);
      if (!engine) throw new GatewayError('internal', `Engine ${job.engineId} is not configured on this server`, { retryable: true });
      // Announced without waiting for its commit: the engine call need not wait a loop turn, and events of
      // one job still commit (and reach subscribers) in the order they were published.
      this.publish(job, 'job-started', { attempt: job.attempts }).catch((error: unknown) => {
        this.options.log?.(`announcing the start of job ${job.id} failed: ${(error as Error).message}`);
      });
      const warnings: EngineWarning[] = [];
      const size = this.fitSize(job.request.size, engine, warnings);
      const load = async (image: StoredImage): Promise<EngineImage> => {
        const blob = await blobs.get(image.blobKey);
        if (!blob) throw new GatewayError('internal', `Input ${image.blobKey} is missing from the blob store`);
        return { data: blob.data, mediaType: image.mediaType, width: image.width, height: image.height };
      };
      const inputImages = await Promise.all(job.request.inputImages.map(load));
      const mask = job.request.mask ? await load(job.request.mask) : undefined;
      let lastProgressAt = 0;
      const output = await engine.run(
        { jobId: job.id, request: job.request, size, inputImages, mask, credentials: this.options.credentials?.get(job.id) ?? {} },
        {
          signal: controller.signal,
          reportProgress: (progress) => {
            // Progress is advisory: throttle it so a chatty engine can't flood subscribers.
            if (Date.now() - lastProgressAt < 250) return;
            lastProgressAt = Date.now();
            void this.publish(job, 'job-progress', { message: progress.message, fraction: progress.fraction ?? null });
          },
          reportPartialImage: async (image) => {
            const key = `partials/${job.id}/${image.index}.${formatFromMediaType(image.mediaType)}`;
            await blobs.put(key, image.data, { mediaType: image.mediaType });
            await this.publish(job, 'job-partial-image', {
              index: image.index,
              blobKey: key,
              mediaType: image.mediaType,
              width: image.width,
              height: image.height,
            });
          },
        },
      );
      controller.signal.throwIfAborted();
      const images: ResultImage[] = [];
      for (const [index, image] of output.images.entries()) {
        const format = formatFromMediaType(image.mediaType);
        const key = `results/${job.id}/${index}.${format}`;
        const info = await blobs.put(key, image.data, { mediaType: image.mediaType });
        images.push({ blobKey: key, mediaType: image.mediaType, format, width: image.width, height: image.height, byteLength: info.byteLength });
      }
      const first = images[0];
      const result: JobResult = {
        images,
        warnings: [...warnings, ...output.warnings],
        usage: output.usage,
        size: first ? { width: first.width, height: first.height } : (size ?? { width: 0, height: 0 }),
      };
      if (await store.markSucceeded(job.id, this.workerId, result, now())) {
        this.options.credentials?.delete(job.id);
        await this.publish(job, 'job-succeeded', {
          images: images.map((image) => ({ blobKey: image.blobKey, mediaType: image.mediaType, width: image.width, height: image.height })),
        });
      }
    } catch (caught) {
      const reason: unknown = controller.signal.aborted ? (controller.signal.reason ?? caught) : caught;
      const error = toGatewayError(reason);
      if (error.code === 'internal') this.options.log?.(`job ${job.id} failed: ${describeCause(error)}`);
      // A cancelled job is already terminal in the store; nothing to record.
      if (error.code === 'cancelled') return;
      const retryAt = error.retryable && job.attempts < this.options.maxAttempts ? new Date(now().getTime() + retryDelayMs(job.attempts)) : undefined;
      const recorded = await store.markFailed(job.id, this.workerId, toPublicError(error), now(), retryAt);
      // A retry needs the key again; a final failure does not.
      if (recorded && !retryAt) this.options.credentials?.delete(job.id);
      if (recorded && !retryAt) await this.publish(job, 'job-failed', { error: { code: error.code, message: error.message } });
      if (recorded && retryAt) this.wakeAt(retryAt);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
  }

  private wakeAt(when: Date): void {
    setTimeout(() => this.wake(), Math.max(0, when.getTime() - this.options.now().getTime()) + 5).unref();
  }

  private fitSize(requested: ImageSize | undefined, engine: ImageEngine, warnings: EngineWarning[]): ImageSize | undefined {
    if (!requested) return undefined;
    const fitted = fitSizeToLimits(requested, engine.sizeLimits);
    if (fitted.width !== requested.width || fitted.height !== requested.height) {
      warnings.push({
        feature: 'size',
        message: `${requested.width}x${requested.height} is outside the ${engine.engineId} engine's size limits; produced ${fitted.width}x${fitted.height}`,
      });
    }
    return fitted;
  }
}

function describeCause(error: GatewayError): string {
  const cause = error.cause;
  return cause instanceof Error ? `${cause.message}\n${cause.stack ?? ''}` : error.message;
}
