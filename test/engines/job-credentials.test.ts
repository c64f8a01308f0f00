import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { anonymousPrincipal } from '../../src/auth/authenticator.ts';
import { MemoryBlobStore } from '../../src/blobs/memory-blob-store.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { ImageRequestDraft } from '../../src/domain/image-request.ts';
import { EngineRouter } from '../../src/engines/engine-router.ts';
import { MemoryEventBus } from '../../src/events/memory-event-bus.ts';
import { ImageIngestor } from '../../src/jobs/ingest-images.ts';
import { JobCredentials } from '../../src/jobs/job-credentials.ts';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { JobService } from '../../src/jobs/job-service.ts';
import { MemoryJobStore } from '../../src/jobs/memory-job-store.ts';
import { createSafeFetch } from '../../src/net/safe-fetch.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { sampleDraft } from '../helpers/sample-job.ts';

const draft: ImageRequestDraft = sampleDraft({ model: 'gpt-image-2', prompt: 'byok', size: { width: 64, height: 64 }, quality: 'low' });

describe('JobCredentials through JobService and JobRunner', () => {
  let runner: JobRunner | undefined;
  afterEach(async () => {
    await runner?.stop(0);
  });

  function setUp(engine: FakeImageEngine) {
    const credentials = new JobCredentials();
    const store = new MemoryJobStore();
    const events = new MemoryEventBus();
    const blobs = new MemoryBlobStore();
    const router = new EngineRouter({ engines: [engine], routes: { 'gpt-image-2': engine.engineId }, familyPreference: [] });
    const ingestor = new ImageIngestor({ fetch: createSafeFetch({ allowlist: [] }), blobs, limits: loadConfig({}).limits });
    const now = () => new Date();
    const jobs = new JobService({ store, events, blobs, router, ingestor, queueCapacity: 10, now, credentials });
    runner = new JobRunner({ store, events, blobs, router, concurrency: {}, defaultConcurrency: () => 4, leaseMs: 5000, engineTimeoutMs: 5000, maxAttempts: 1, now, credentials });
    return { credentials, jobs, runner };
  }

  const submit = (jobs: JobService, credentials?: Record<string, string>) =>
    jobs.submit(draft, { principal: anonymousPrincipal, origin: { dialect: 'test', operation: 'generate', extras: {} }, ...(credentials ? { credentials } : {}) });

  it('hands the key to the engine and forgets it once the job has succeeded or failed', async () => {
    const engine = new FakeImageEngine('fake');
    const { credentials, jobs, runner } = setUp(engine);
    await runner.start({ recoverAllRunning: true });
    const [job] = await submit(jobs, { openaiApiKey: 'sk-1' });
    expect(credentials.size).toBe(1);
    expect((await jobs.waitForTerminal(job!.id, { timeoutMs: 5000 })).state).toBe('succeeded');
    expect(engine.calls[0]?.credentials).toEqual({ openaiApiKey: 'sk-1' });
    expect(credentials.size).toBe(0);

    engine.behaviour = { failWith: new GatewayError('invalid_request', 'no') };
    const [failing] = await submit(jobs, { openaiApiKey: 'sk-2' });
    expect((await jobs.waitForTerminal(failing!.id, { timeoutMs: 5000 })).state).toBe('failed');
    expect(credentials.size).toBe(0);

    engine.behaviour = {};
    const [plain] = await submit(jobs);
    await jobs.waitForTerminal(plain!.id, { timeoutMs: 5000 });
    expect(engine.calls).toHaveLength(3);
    expect(engine.calls.at(-1)?.credentials).toEqual({});
  });

  it('forgets the key of a job cancelled while queued', async () => {
    const { credentials, jobs } = setUp(new FakeImageEngine('fake'));
    const [job] = await submit(jobs, { openaiApiKey: 'sk-3' });
    expect(credentials.get(job!.id)).toEqual({ openaiApiKey: 'sk-3' });
    await jobs.cancel(job!.id, { keyId: undefined, admin: true });
    expect(credentials.size).toBe(0);
  });

  it('keeps keys out of inspect and JSON output', () => {
    const credentials = new JobCredentials();
    credentials.set('job-1', { openaiApiKey: 'sk-hidden' });
    credentials.set('job-2', {});
    expect(inspect(credentials)).toBe('JobCredentials { 1 job(s) }');
    expect(JSON.stringify({ credentials })).toBe('{"credentials":{"jobs":1}}');
    expect(credentials.get('job-2')).toEqual({});
  });
});
