import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** The same delivery machinery carries each dialect's own payload shape. */
describe('webhooks in the fal and WaveSpeed shapes', () => {
  let gateway: TestGateway;
  let receiver: WebhookReceiver;
  let receiverUrl: string;

  beforeAll(async () => {
    receiver = new WebhookReceiver(secret);
    receiverUrl = await receiver.start();
    gateway = await startTestGateway({
      environment: {
        DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake',
        DARKROOM_FETCH_ALLOWLIST: '127.0.0.1',
        DARKROOM_WEBHOOK_SECRET: secret,
        DARKROOM_WEBHOOK_RETRY_SCHEDULE: '0,0.05,0.05',
      },
      extraEngines: [new FakeImageEngine('fake', { delayMs: 10 })],
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await receiver.stop();
  });

  const payloadAt = async (path: string): Promise<Record<string, unknown>> => {
    await receiver.waitFor(() => receiver.received.some((entry) => entry.path === path));
    const request = receiver.received.find((entry) => entry.path === path)!;
    expect(request.verified).toBe(true);
    return request.payload as Record<string, unknown>;
  };

  it('fal: ?fal_webhook= gets {request_id, gateway_request_id, status: OK, payload}', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2?fal_webhook=${encodeURIComponent(`${receiverUrl}/fal`)}`, {
      prompt: 'a lighthouse',
      image_size: 'square_hd',
    });
    expect(submitted.status).toBe(200);
    const requestId = String(submitted.json.request_id);
    const payload = await payloadAt('/fal');
    expect(payload).toMatchObject({ request_id: requestId, gateway_request_id: requestId, status: 'OK' });
    const images = (payload.payload as { images: Array<{ url: string }> }).images;
    expect(images).toHaveLength(1);
    expect((await fetch(images[0]!.url)).status).toBe(200);
  });

  it('WaveSpeed: ?webhook= gets the bare data object with status completed', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/text-to-image?webhook=${encodeURIComponent(`${receiverUrl}/wavespeed`)}`, {
      prompt: 'a lighthouse',
    });
    expect(submitted.status).toBe(200);
    const id = String((submitted.json.data as { id: string }).id);
    const payload = await payloadAt('/wavespeed');
    expect(payload).toMatchObject({ id, status: 'completed', input: { prompt: 'a lighthouse' } });
    expect(payload).not.toHaveProperty('code');
    expect((payload.outputs as string[]).length).toBe(1);
  });
});
