import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { readSse } from '../helpers/sse-client.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const admin = { keyId: undefined, admin: true };

describe('fal queue over raw HTTP', () => {
  let gateway: TestGateway;
  const fake = new FakeImageEngine('fake');
  const queue = () => `${gateway.baseUrl}/fal/queue`;
  const submit = (body: Record<string, unknown>, app = 'openai/gpt-image-2', query = '') => postJson(`${queue()}/${app}${query}`, body);

  beforeAll(async () => {
    gateway = await startTestGateway({
      environment: { DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake', DARKROOM_ENGINE_CONCURRENCY: 'fake=1', DARKROOM_KEEPALIVE_SECONDS: '1' },
      extraEngines: [fake],
    });
  });
  afterAll(() => gateway.stop());
  beforeEach(() => {
    fake.behaviour = {};
  });

  it('submits to IN_QUEUE with absolute owner/alias URLs, then answers status 202 while waiting and 200 when done', async () => {
    fake.behaviour = { delayMs: 300 };
    // One slot: the first runs, the next is queue_position 0 (next up), this one 1.
    const running = await submit({ prompt: 'running' });
    const next = await submit({ prompt: 'next' });
    const second = await submit({ prompt: 'second', image_size: 'portrait_4_3' });
    expect(second.status).toBe(200);
    const id = String(second.json.request_id);
    expect(second.headers.get('x-fal-request-id')).toBe(id);
    expect(second.json).toEqual({
      status: 'IN_QUEUE',
      request_id: id,
      gateway_request_id: id,
      response_url: `${gateway.urls.absolute('/fal/queue')}/openai/gpt-image-2/requests/${id}`,
      status_url: `${gateway.urls.absolute('/fal/queue')}/openai/gpt-image-2/requests/${id}/status`,
      cancel_url: `${gateway.urls.absolute('/fal/queue')}/openai/gpt-image-2/requests/${id}/cancel`,
      queue_position: 1,
    });
    const waiting = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}/status?logs=0`);
    expect(waiting.status).toBe(202);
    expect(waiting.json).toMatchObject({ status: 'IN_QUEUE', queue_position: 1, logs: [], response_url: second.json.response_url });
    expect(next.json.queue_position).toBe(0);
    await gateway.jobs.waitForTerminal(String(running.json.request_id), { timeoutMs: 5000 });
    await gateway.jobs.waitForTerminal(String(next.json.request_id), { timeoutMs: 5000 });
    await gateway.jobs.waitForTerminal(id, { timeoutMs: 5000 });
    // The subpath form is accepted too, and Python's logs=true.
    const done = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}/status?logs=true`);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: 'COMPLETED', metrics: { inference_time: expect.any(Number) } });
    expect((done.json.logs as Array<{ message: string; level: string; source: string }>).at(-1)).toMatchObject({ message: 'Completed', level: 'INFO', source: 'USER' });
    expect((await getJson(`${queue()}/openai/gpt-image-2/edit/requests/${id}/status`)).status).toBe(200);
    const result = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}`);
    expect(result.json).toEqual({
      images: [{ url: expect.stringContaining(`/files/results/${id}/0.png`), content_type: 'image/png', file_name: `${id}-0.png`, file_size: expect.any(Number), width: 768, height: 1024 }],
    });
  });

  it('answers 400 for a result that is not ready and reports IN_PROGRESS while running', async () => {
    fake.behaviour = { delayMs: 300 };
    const { json } = await submit({ prompt: 'slow' });
    const id = String(json.request_id);
    await expect.poll(async () => (await getJson(`${queue()}/openai/gpt-image-2/requests/${id}/status`)).json.status).toBe('IN_PROGRESS');
    const early = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}`);
    expect(early.status).toBe(400);
    expect(early.json).toEqual({ detail: 'Request is still in progress', error_type: 'bad_request' });
    await gateway.jobs.waitForTerminal(id, { timeoutMs: 5000 });
  });

  it('cancels: 202 CANCELLATION_REQUESTED, then COMPLETED with client_cancelled; 400 ALREADY_COMPLETED; 404 NOT_FOUND', async () => {
    fake.behaviour = { delayMs: 2000 };
    const { json } = await submit({ prompt: 'to cancel' });
    const id = String(json.request_id);
    const cancel = await fetch(`${queue()}/openai/gpt-image-2/requests/${id}/cancel`, { method: 'PUT' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ status: 'CANCELLATION_REQUESTED' });
    const status = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}/status`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled', error: expect.stringContaining('cancelled') });
    const result = await getJson(`${queue()}/openai/gpt-image-2/requests/${id}`);
    expect(result.status).toBe(499);
    expect(result.headers.get('x-fal-error-type')).toBe('client_cancelled');
    const again = await fetch(`${queue()}/openai/gpt-image-2/requests/${id}/cancel`, { method: 'PUT' });
    expect([again.status, await again.json()]).toEqual([400, { status: 'ALREADY_COMPLETED' }]);
    const unknown = await fetch(`${queue()}/openai/gpt-image-2/requests/00000000-0000-0000-0000-000000000000/cancel`, { method: 'PUT' });
    expect([unknown.status, await unknown.json()]).toEqual([404, { status: 'NOT_FOUND' }]);
  });

  it('streams status objects over SSE with keep-alive comments and closes after COMPLETED', async () => {
    fake.behaviour = { delayMs: 1300 };
    const { json } = await submit({ prompt: 'watched' });
    const stream = await readSse(`${queue()}/openai/gpt-image-2/requests/${String(json.request_id)}/status/stream?logs=1`, { until: () => false, timeoutMs: 8000 });
    expect(stream.contentType).toContain('text/event-stream');
    const statuses = stream.events.map((event) => JSON.parse(event.data) as { status: string; logs: unknown[]; response_url: string });
    expect(statuses[0]?.status).toMatch(/IN_QUEUE|IN_PROGRESS/);
    expect(statuses.at(-1)).toMatchObject({ status: 'COMPLETED', metrics: { inference_time: expect.any(Number) } });
    expect(statuses.every((status) => Array.isArray(status.logs) && status.response_url.endsWith(String(json.request_id)))).toBe(true);
    expect(stream.comments).toContain('keep-alive');
  });

  it('records ?fal_webhook as the job\'s webhook and rejects a malformed one with 422', async () => {
    const ok = await submit({ prompt: 'hooked' }, 'fal-ai/gpt-image-2', '?fal_webhook=https%3A%2F%2Fhooks.example.com%2Ffal');
    const job = await gateway.jobs.get(String(ok.json.request_id), admin);
    expect(job.origin).toMatchObject({ dialect: 'fal', webhookUrl: 'https://hooks.example.com/fal', extras: { app: 'fal-ai/gpt-image-2' } });
    expect(String(ok.json.status_url)).toContain('/fal/queue/fal-ai/gpt-image-2/requests/');
    const bad = await submit({ prompt: 'hooked' }, 'openai/gpt-image-2', '?fal_webhook=ftp://nowhere');
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ detail: [{ loc: ['query', 'fal_webhook'], type: 'url_parsing' }] });
  });

  it('answers sync_mode results as data URIs and marks the job ephemeral', async () => {
    const response = await postJson(`${gateway.baseUrl}/fal/run/openai/gpt-image-2`, { prompt: 'inline', sync_mode: true, image_size: { width: 64, height: 48 } });
    expect(response.status).toBe(200);
    const [image] = response.json.images as Array<{ url: string; width: number }>;
    expect(image!.url).toMatch(/^data:image\/png;base64,/);
    const job = await gateway.jobs.get(String(response.headers.get('x-fal-request-id')), admin);
    expect(job.ephemeral).toBe(true);
  });

  it('answers validation problems as 422 detail lists and unknown apps as 404', async () => {
    const malformed = await postJson(`${queue()}/openai/gpt-image-2`, '{"prompt": ');
    expect(malformed.status).toBe(422);
    expect(malformed.json).toMatchObject({ detail: [{ loc: ['body'], type: 'value_error', url: expect.stringContaining('docs.fal.ai/errors') }] });
    const invalid = await submit({ prompt: 'x', image_size: { width: 1000, height: 768 }, quality: 'ultra' });
    expect(invalid.status).toBe(422);
    expect(invalid.json.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ loc: ['body', 'image_size', 'width'], type: 'multiple_of' }),
        expect.objectContaining({ loc: ['body', 'quality'], type: 'literal_error' }),
      ]),
    );
    const tooMany = await submit({ prompt: 'x', image_urls: Array.from({ length: 17 }, () => 'https://example.com/a.png') }, 'openai/gpt-image-2/edit');
    expect(tooMany.json).toMatchObject({ detail: [{ loc: ['body', 'image_urls'], type: 'too_long' }] });
    const unknown = await submit({ prompt: 'x' }, 'fal-ai/flux/dev');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-fal-error-type')).toBe('not_found');
  });
});
