import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFalUpstream, type FakeFalUpstream } from '../helpers/fake-fal-upstream.ts';
import { dataUri, patternPng, rectangleMask } from '../helpers/image-fixtures.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('gpt-image-2 routed to the fal engine (FAL_KEY) end to end', () => {
  let upstream: FakeFalUpstream;
  let gateway: TestGateway;
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

  beforeAll(async () => {
    upstream = await startFakeFalUpstream({ pollsBeforeDone: 2, outputSize: { width: 96, height: 64 } });
    gateway = await startTestGateway({
      environment: { FAL_KEY: upstream.apiKey, FAL_QUEUE_URL: upstream.url, FAL_POLL_INTERVAL_MS: '10', DARKROOM_FETCH_ALLOWLIST: '127.0.0.1', DARKROOM_WEBHOOK_SECRET: webhookSecret },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('serves a fal-dialect edit with a mask and a BYOK key through fal, without storing the key', async () => {
    const photo = dataUri(await patternPng(96, 64));
    const mask = dataUri(await rectangleMask(96, 64, { left: 0, top: 0, width: 48, height: 64 }));
    const submitted = await postJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2/edit`, {
      prompt: 'replace the sky',
      image_urls: [photo],
      mask_image_url: mask,
      image_size: { width: 1024, height: 1024 },
      openai_api_key: 'sk-byok-secret',
    });
    expect(submitted.headers.get('x-darkroom-engine')).toBe('fal');
    const id = String(submitted.json.request_id);
    const job = await gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
    expect(job.state).toBe('succeeded');
    const sent = upstream.requests.find((request) => request.method === 'POST')!;
    expect(sent.path).toBe('/openai/gpt-image-2/edit');
    expect(sent.body).toMatchObject({ prompt: 'replace the sky', image_size: { width: 1024, height: 1024 }, quality: 'high', openai_api_key: 'sk-byok-secret' });
    expect(String(sent.body!.mask_image_url)).toMatch(/^data:image\/png;base64,/);
    expect(JSON.stringify(await gateway.store.findById(id))).not.toContain('sk-byok-secret');
    const result = await getJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2/requests/${id}`);
    expect(result.json).toMatchObject({ images: [{ width: 96, height: 64, content_type: 'image/png' }] });
  });

  it('turns fal\'s 422 into the client\'s own 422 on the fal dialect', async () => {
    upstream.behaviour.resultError = { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'prompt is too vague', type: 'value_error' }] } };
    try {
      const submitted = await postJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2`, { prompt: 'something' });
      const id = String(submitted.json.request_id);
      await gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
      const status = await getJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2/requests/${id}/status`);
      expect(status.json).toMatchObject({ status: 'COMPLETED', error: expect.stringContaining('prompt is too vague') });
      const result = await getJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2/requests/${id}`);
      expect(result.status).toBe(422);
      expect(result.json).toMatchObject({ detail: [{ loc: ['body', 'prompt'], msg: expect.stringContaining('prompt is too vague') }] });
    } finally {
      delete upstream.behaviour.resultError;
    }
  });

  it('delivers ?fal_webhook in fal\'s webhook shape, signed per Standard Webhooks', async () => {
    const received: Array<{ headers: Record<string, string>; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const hook = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/fal-hook`;
    try {
      const submitted = await postJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2?fal_webhook=${encodeURIComponent(hook)}`, { prompt: 'notify me' });
      const id = String(submitted.json.request_id);
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
      const delivery = received[0]!;
      const payload = new Webhook(webhookSecret).verify(delivery.body, delivery.headers) as Record<string, unknown>;
      expect(payload).toMatchObject({ request_id: id, gateway_request_id: id, status: 'OK', payload: { images: [{ width: 96, height: 64, content_type: 'image/png' }] } });
      const imageUrl = (payload.payload as { images: Array<{ url: string }> }).images[0]!.url;
      expect((await fetch(imageUrl)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
