import type { Hono } from 'hono';
import type { AccountServices } from '../accounts/accounts.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { SignedBlobUrls } from '../blobs/signed-blob-urls.ts';
import type { Job } from '../domain/job.ts';
import type { JsonValue } from '../domain/json-value.ts';
import type { EngineRouter } from '../engines/engine-router.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { AppEnv } from './shared/app-env.ts';

export type DialectSettings = {
  maxBodyBytes: number;
  maxPromptLength: number;
  /** Largest single input image or uploaded file, in bytes (fal/WaveSpeed storage uploads). */
  maxInputBytes: number;
  syncTimeoutMs: number;
  keepAliveMs: number;
};

/** Everything a dialect's routes may use; dialects never see adapters or configuration directly. */
export type DialectServices = {
  jobs: JobService;
  events: EventBus;
  blobs: BlobStore;
  urls: SignedBlobUrls;
  router: EngineRouter;
  authenticator: Authenticator;
  settings: DialectSettings;
  now: () => Date;
  /** Rate limits, idempotent submits, prices and costs (accounts/); absent = none of those. */
  accounts?: AccountServices;
};

/** A wire format darkroom speaks: its routes, mounted at the app root. */
export interface Dialect {
  readonly dialectId: string;
  createRoutes(services: DialectServices): Hono<AppEnv>;
  /** The body of the webhook for a terminal job this dialect submitted (fal's envelope, WaveSpeed's data object…). */
  toWebhookPayload?(job: Job, urls: SignedBlobUrls): JsonValue;
}
