import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { WebhookDelivery } from '../../src/webhooks/webhook-outbox.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
// Five attempts, 50 ms apart (± jitter), so failure paths finish in well under a second.
const retrySchedule = '0,0.05,0.05,0.05,0.05';

type OxenGeneration = { generation_id: string; status: string; result_url: string | null; error_message: string | null; webhook_url?: string };
type OxenWebhook = { type: string; timestamp: string; data: OxenGeneration };

describe('webhooks: durable, signed, retried (Oxen queue webhook_url)', () => {
  let gateway: TestGateway;
  let receiver: WebhookReceiver;
  let receiverUrl: string;
  const fake = new FakeImageEngine('fake', { delayMs: 20 });

  beforeAll(async () => {
    receiver = new WebhookReceiver(secret);
    receiverUrl = await receiver.start();
    gateway = await startTestGateway({
      environment: {
        DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake',
        DARKROOM_FETCH_ALLOWLIST: '127.0.0.1',
        DARKROOM_WEBHOOK_SECRET: secret,
        DARKROOM_WEBHOOK_RETRY_SCHEDULE: retrySchedule,
        DARKROOM_WEBHOOK_TIMEOUT: '0.3',
      },
      extraEngines: [fake],
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await receiver.stop();
  });
  afterEach(() => {
    receiver.behaviour = () => ({ status: 200 });
    fake.behaviour = { delayMs: 20 };
  });

  const enqueue = async (path: string, extra: Record<string, unknown> = {}): Promise<string[]> => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, {
      model: 'gpt-image-2',
      prompt: `webhook ${path}`,
      resolution: '1024x768',
      webhook_url: `${receiverUrl}${path}`,
      ...extra,
    });
    expect(response.status).toBe(200);
    return (response.json.generations as Array<{ generation_id: string }>).map((generation) => generation.generation_id);
  };

  /** Polls the outbox until the job's delivery reaches a final state. */
  const settledDelivery = async (jobId: string, timeoutMs = 10_000): Promise<WebhookDelivery> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const delivery = await gateway.webhooks.outbox.findByJobId(jobId);
      if (delivery && delivery.state !== 'pending') return delivery;
      if (Date.now() > deadline) throw new Error(`delivery for ${jobId} still ${delivery?.state ?? 'missing'}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('posts each finished generation once, signed so the standardwebhooks verifier accepts it', async () => {
    const jobIds = await enqueue('/success', { num_generations: 2 });
    const deliveries = await Promise.all(jobIds.map((jobId) => settledDelivery(jobId)));
    expect(deliveries.map((delivery) => delivery.state)).toEqual(['delivered', 'delivered']);
    for (const delivery of deliveries) {
      const [request, ...extra] = receiver.attemptsFor(delivery.id);
      expect(extra).toEqual([]);
      expect(request).toMatchObject({ verified: true, path: '/success', body: delivery.body });
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Number(request?.headers['webhook-timestamp'])).toBeGreaterThan(1_700_000_000);
      const payload = request?.payload as OxenWebhook;
      expect(payload.type).toBe('media_generation_completed');
      expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);
      expect(payload.data).toMatchObject({ generation_id: delivery.jobId, status: 'succeeded', error_message: null, media_type: 'image' });
      // The result URL in the body works without a key.
      expect((await fetch(String(payload.data.result_url))).status).toBe(200);
    }
  });

  it('notifies failed generations with their error in the same shape', async () => {
    fake.behaviour = { failWith: new GatewayError('content_rejected', 'the prompt was rejected') };
    const [jobId] = await enqueue('/failure');
    const delivery = await settledDelivery(jobId!);
    expect(delivery.state).toBe('delivered');
    const payload = receiver.attemptsFor(delivery.id)[0]?.payload as OxenWebhook;
    expect(payload.data).toMatchObject({ generation_id: jobId, status: 'failed', result_url: null, error_message: 'the prompt was rejected' });
  });

  it('retries after 500s with the same webhook-id and a valid signature on every attempt', async () => {
    receiver.behaviour = ({ attempt }) => ({ status: attempt <= 2 ? 500 : 200 });
    const [jobId] = await enqueue('/flaky');
    const delivery = await settledDelivery(jobId!);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
    const attempts = receiver.attemptsFor(delivery.id);
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(attempts.every((attempt) => attempt.verified && attempt.body === delivery.body)).toBe(true);
  });

  it('gives up on a receiver that hangs past the request timeout and retries it', async () => {
    receiver.behaviour = ({ attempt }) => (attempt === 1 ? 'hang' : { status: 204 });
    const [jobId] = await enqueue('/hang');
    const delivery = await settledDelivery(jobId!);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204 });
    expect(receiver.attemptsFor(delivery.id).map((attempt) => attempt.verified)).toEqual([true, true]);
  });

  it('waits as long as Retry-After asks on 429 (the schedule alone would retry after ~50 ms)', async () => {
    receiver.behaviour = ({ attempt }) => (attempt === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    const [jobId] = await enqueue('/throttled');
    const delivery = await settledDelivery(jobId!);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2 });
    const [first, second] = receiver.attemptsFor(delivery.id);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(900);
  });

  it('stops for good on 410 Gone', async () => {
    receiver.behaviour = () => ({ status: 410 });
    const [jobId] = await enqueue('/gone');
    const delivery = await settledDelivery(jobId!);
    expect(delivery).toMatchObject({ state: 'disabled', attempts: 1, lastStatus: 410 });
    // Longer than the whole retry schedule: nothing else arrives.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.attemptsFor(delivery.id)).toHaveLength(1);
  });

  it('marks a delivery failed once the schedule is used up, keeping the last answer', async () => {
    receiver.behaviour = () => ({ status: 503 });
    const [jobId] = await enqueue('/down');
    const delivery = await settledDelivery(jobId!);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 5, lastStatus: 503 });
    expect(delivery.lastError).toContain('HTTP 503');
    expect(receiver.attemptsFor(delivery.id)).toHaveLength(5);
  });

  it('never contacts webhook URLs at private or metadata addresses that are not allowlisted', async () => {
    const canary = new WebhookReceiver(secret);
    // 127.0.0.2 is loopback too, but only 127.0.0.1 is allowlisted.
    const canaryUrl = await canary.start('127.0.0.2');
    try {
      const [privateJob] = await enqueue('', { webhook_url: `${canaryUrl}/hook` });
      const [metadataJob] = await enqueue('', { webhook_url: 'http://169.254.169.254/latest/meta-data/' });
      for (const jobId of [privateJob!, metadataJob!]) {
        const delivery = await settledDelivery(jobId);
        expect(delivery.state).toBe('failed');
        expect(delivery.lastStatus).toBeUndefined();
        expect(delivery.lastError).toContain('private or reserved address');
      }
      expect(canary.received).toEqual([]);
    } finally {
      await canary.stop();
    }
  });

  it('rejects a webhook_url that is not an absolute http(s) URL with a 400 naming the field', async () => {
    for (const webhookUrl of ['ftp://example.com/hook', 'not a url', 42]) {
      const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'x', webhook_url: webhookUrl });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.json)).toContain('webhook_url');
    }
  });

  it('records deliveries missed while the service was down when it starts again (reconciliation)', async () => {
    await gateway.webhooks.stop();
    const [jobId] = await enqueue('/reconciled');
    const deadline = Date.now() + 10_000;
    while ((await gateway.store.findById(jobId!))?.state !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await gateway.webhooks.outbox.findByJobId(jobId!)).toBeUndefined();
    await gateway.webhooks.start();
    const delivery = await settledDelivery(jobId!);
    expect(delivery.state).toBe('delivered');
    expect(receiver.attemptsFor(delivery.id).map((attempt) => attempt.verified)).toEqual([true]);
  });

  it('sends nothing for jobs without a webhook_url', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'no hook', resolution: '1024x768' });
    const jobId = (response.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
    const deadline = Date.now() + 10_000;
    while ((await gateway.store.findById(jobId))?.state !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await gateway.webhooks.recordForJob(jobId)).toBeUndefined();
    expect(await gateway.webhooks.outbox.findByJobId(jobId)).toBeUndefined();
  });
});
