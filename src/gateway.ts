import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createAccountRoutes } from './dialects/darkroom/account-routes.ts';
import { Accounts } from './accounts/accounts.ts';
import { loadPriceBook } from './accounts/load-price-book.ts';
import { Authenticator } from './auth/authenticator.ts';
import type { ApiKeyStore } from './auth/api-key-store.ts';
import { SqliteApiKeyStore } from './auth/sqlite-api-key-store.ts';
import type { BlobStore } from './blobs/blob-store.ts';
import { DiskBlobStore } from './blobs/disk-blob-store.ts';
import { MemoryBlobStore } from './blobs/memory-blob-store.ts';
import { SignedBlobUrls } from './blobs/signed-blob-urls.ts';
import type { Config } from './config/config.ts';
import type { DialectServices } from './dialects/dialect.ts';
import { dialects } from './dialects/index.ts';
import type { AppEnv } from './dialects/shared/app-env.ts';
import { EngineRouter } from './engines/engine-router.ts';
import type { ImageEngine } from './engines/image-engine.ts';
import { FalImageEngine } from './engines/fal/fal-image-engine.ts';
import { LocalImageEngine } from './engines/local/local-image-engine.ts';
import { createOpenAiEngines } from './engines/openai/create-openai-engines.ts';
import { WaveSpeedImageEngine } from './engines/wavespeed/wavespeed-image-engine.ts';
import type { EventBus } from './events/event-bus.ts';
import { MemoryEventBus } from './events/memory-event-bus.ts';
import { SqliteEventBus } from './events/sqlite-event-bus.ts';
import { createApp } from './http/create-app.ts';
import { ImageIngestor } from './jobs/ingest-images.ts';
import { JobCredentials } from './jobs/job-credentials.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { JobService } from './jobs/job-service.ts';
import type { JobStore } from './jobs/job-store.ts';
import { MemoryJobStore } from './jobs/memory-job-store.ts';
import { SqliteJobStore } from './jobs/sqlite-job-store.ts';
import { createSafeFetch } from './net/safe-fetch.ts';
import { groupCommitFor } from './sqlite/group-commit.ts';
import { WalCheckpointer } from './sqlite/wal-checkpointer.ts';
import { openDatabase, type SqliteDatabase } from './sqlite/open-database.ts';
import { MemoryWebhookOutbox } from './webhooks/memory-webhook-outbox.ts';
import { SqliteWebhookOutbox } from './webhooks/sqlite-webhook-outbox.ts';
import { loadOrCreateWebhookSecret } from './webhooks/webhook-secret.ts';
import { WebhookService } from './webhooks/webhook-service.ts';

export type GatewayOptions = {
  /** Engines added beside the configured ones (tests register fakes here). */
  extraEngines?: ImageEngine[];
  log?: (message: string) => void;
  now?: () => Date;
};

export type Gateway = {
  app: Hono<AppEnv>;
  config: Config;
  jobs: JobService;
  store: JobStore;
  events: EventBus;
  blobs: BlobStore;
  keys: ApiKeyStore;
  router: EngineRouter;
  runner: JobRunner;
  urls: SignedBlobUrls;
  webhooks: WebhookService;
  accounts: Accounts;
  /** Starts the workers (re-queueing jobs a previous process left running). */
  start(): Promise<void>;
  /** Starts the workers and an HTTP listener; resolves with its address. */
  listen(): Promise<{ url: string; host: string; port: number; openMode: boolean }>;
  close(): Promise<void>;
};

/** The composition root: the only place that picks concrete adapters, from configuration. */
export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  mkdirSync(config.dataDirectory, { recursive: true });

  let database: SqliteDatabase;
  let store: JobStore;
  let events: EventBus;
  let blobs: BlobStore;
  let checkpointer: WalCheckpointer | undefined;
  if (config.store === 'sqlite') {
    database = openDatabase(join(config.dataDirectory, 'darkroom.db'));
    checkpointer = new WalCheckpointer(database);
    store = new SqliteJobStore(database);
    events = new SqliteEventBus(database);
    blobs = new DiskBlobStore(join(config.dataDirectory, 'blobs'));
  } else {
    database = openDatabase(':memory:');
    store = new MemoryJobStore();
    events = new MemoryEventBus();
    blobs = new MemoryBlobStore();
  }
  // Keys always live in SQLite so the CLI can manage them beside a running server.
  const keys = new SqliteApiKeyStore(config.store === 'sqlite' ? database : openDatabase(':memory:'));

  const safeFetch = createSafeFetch({ allowlist: config.fetchAllowlist, maxBytes: config.limits.maxInputBytes });
  const engines: ImageEngine[] = [new LocalImageEngine(), ...(options.extraEngines ?? [])];
  engines.push(...createOpenAiEngines(config.upstreams, safeFetch));
  if (config.upstreams.wavespeed) {
    const { maxInputBytes, maxInputPixels } = config.limits;
    engines.push(new WaveSpeedImageEngine({ ...config.upstreams.wavespeed, fetch: safeFetch, timeoutMs: config.engineTimeoutSeconds * 1000, maxOutputBytes: maxInputBytes, maxOutputPixels: maxInputPixels }));
  }
  if (config.upstreams.fal) {
    const { maxInputBytes, maxInputPixels } = config.limits;
    engines.push(new FalImageEngine({ ...config.upstreams.fal, fetch: safeFetch, timeoutMs: config.engineTimeoutSeconds * 1000, maxOutputBytes: maxInputBytes, maxOutputPixels: maxInputPixels }));
  }
  const router = new EngineRouter({ engines, routes: config.routes, familyPreference: ['openai', 'fal', 'wavespeed'] });
  // Until the listener knows its port (PORT=0), the configured port stands in.
  let publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const urls = new SignedBlobUrls({
    publicUrl: () => publicUrl,
    secret: config.signingSecret ?? loadOrCreateSecret(join(config.dataDirectory, 'signing-secret')),
    defaultTtlSeconds: config.signedUrlTtlSeconds,
    now,
  });
  const ingestor = new ImageIngestor({ fetch: safeFetch, blobs, limits: config.limits, resolveOwnUrl: (url) => urls.resolveOwnUrl(url) });
  // Per-request upstream keys (BYOK): memory only, shared by the submit path and the workers.
  const credentials = new JobCredentials();
  // Prices, job costs, budgets, rate limits, idempotent submits and retention.
  const accounts = new Accounts({
    database,
    prices: loadPriceBook(config.accounts.priceBookPath),
    store,
    events,
    blobs,
    maxBodyBytes: config.limits.maxBodyBytes,
    retentionDays: config.accounts.retentionDays,
    purgeIntervalMinutes: config.accounts.purgeIntervalMinutes,
    now,
    log,
  });
  const jobs = new JobService({ store, events, blobs, router, ingestor, queueCapacity: config.queueCapacity, now, credentials, admission: accounts.ledger, log });
  const runner = new JobRunner({
    credentials,
    store,
    events,
    blobs,
    router,
    concurrency: config.engineConcurrency,
    // CPU-bound local work gets one slot per core; upstream calls mostly wait on the network.
    defaultConcurrency: (engine) => (engine.engineId === 'local' ? 2 : 16),
    leaseMs: config.leaseSeconds * 1000,
    engineTimeoutMs: config.engineTimeoutSeconds * 1000,
    maxAttempts: config.maxAttempts,
    now,
    log,
  });
  const webhookRetrySpanSeconds = config.webhooks.retryScheduleSeconds.reduce((total, delay) => total + delay, 0);
  const webhooks = new WebhookService({
    outbox: config.store === 'sqlite' ? new SqliteWebhookOutbox(database) : new MemoryWebhookOutbox(),
    store,
    events,
    dialects,
    // Result URLs in a webhook body must stay valid through its last retry.
    urls: new SignedBlobUrls({
      publicUrl: () => publicUrl,
      secret: config.signingSecret ?? loadOrCreateSecret(join(config.dataDirectory, 'signing-secret')),
      defaultTtlSeconds: config.signedUrlTtlSeconds + Math.ceil(webhookRetrySpanSeconds),
      now,
    }),
    fetch: safeFetch,
    secret: config.webhooks.secret ?? loadOrCreateWebhookSecret(config.dataDirectory),
    retryScheduleSeconds: config.webhooks.retryScheduleSeconds,
    requestTimeoutMs: config.webhooks.timeoutSeconds * 1000,
    now,
    log,
  });
  const authenticator = new Authenticator(keys);
  const services: DialectServices = {
    jobs,
    events,
    blobs,
    urls,
    router,
    authenticator,
    now,
    accounts,
    settings: {
      maxBodyBytes: config.limits.maxBodyBytes,
      maxPromptLength: config.limits.maxPromptLength,
      maxInputBytes: config.limits.maxInputBytes,
      syncTimeoutMs: config.syncTimeoutSeconds * 1000,
      keepAliveMs: config.keepAliveSeconds * 1000,
    },
  };
  const app = createApp({ services, dialects, blobs, urls });
  app.route('/', createAccountRoutes(services, accounts, keys));

  let server: ServerType | undefined;
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    await accounts.start();
    await runner.start({ recoverAllRunning: true });
    await webhooks.start();
  };
  return {
    app,
    config,
    jobs,
    store,
    events,
    blobs,
    keys,
    router,
    runner,
    urls,
    webhooks,
    accounts,
    start,
    async listen() {
      await start();
      const openMode = await authenticator.isOpenMode();
      const host = config.host ?? (openMode ? '127.0.0.1' : '0.0.0.0');
      const address = await new Promise<{ port: number }>((resolve, reject) => {
        server = serve({ fetch: app.fetch, port: config.port, hostname: host }, (info) => resolve(info));
        server.once('error', reject);
      });
      if (!config.publicUrl) publicUrl = `http://localhost:${address.port}`;
      return { url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`, host, port: address.port, openMode };
    },
    async close() {
      await runner.stop();
      await webhooks.stop();
      await accounts.stop();
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        // SSE clients hold connections open; end them so close() returns.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await store.close();
      await events.close();
      groupCommitFor(database).flush();
      await checkpointer?.stop();
      database.close();
    },
  };
}

function loadOrCreateSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
