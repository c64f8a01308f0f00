import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataUri, solidPng } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

type Delivery = { path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> };

describe('WaveSpeed webhooks through the outbox', () => {
  let gateway: TestGateway;
  let receiver: Server;
  let receiverUrl: string;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    gateway = await startTestGateway({ environment: { DARKROOM_FETCH_ALLOWLIST: '127.0.0.1' } });
  });
  afterAll(async () => {
    await gateway.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const deliveryTo = async (path: string): Promise<Delivery> => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const found = deliveries.find((delivery) => delivery.path === path);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no webhook arrived at ${path}`);
  };

  it('posts the bare data object of a completed task to ?webhook=', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/text-to-image?webhook=${encodeURIComponent(`${receiverUrl}/done`)}`, { prompt: 'hook me' });
    const id = (submitted.json.data as { id: string }).id;
    const delivery = await deliveryTo('/done');
    expect(delivery.headers['webhook-signature']).toBeDefined();
    expect(delivery.body).toMatchObject({ id, model: 'openai/gpt-image-2/text-to-image', input: { prompt: 'hook me' }, status: 'completed', error: '', has_nsfw_contents: [false] });
    expect(delivery.body).not.toHaveProperty('code');
    expect((await fetch((delivery.body.outputs as string[])[0]!)).status).toBe(200);
  });

  it('posts failed tasks to webhook_url with the error', async () => {
    await postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/edit`, {
      images: [dataUri(await solidPng(64, 64))],
      prompt: 'paint a dragon over the city',
      webhook_url: `${receiverUrl}/failed`,
    });
    const delivery = await deliveryTo('/failed');
    expect(delivery.body).toMatchObject({ status: 'failed', outputs: [], error: expect.stringContaining('did not recognise') });
  });
});
