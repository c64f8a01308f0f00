import { fal, ValidationError, type QueueStatus } from '@fal-ai/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternPng } from '../helpers/image-fixtures.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

type FalImage = { url: string; content_type: string; file_name: string; file_size: number; width: number; height: number };
type FalOutput = { images: FalImage[] };

async function isGreyscale(url: string): Promise<boolean> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let offset = 0; offset < data.length; offset += info.channels * 97) {
    if (data[offset] !== data[offset + 1] || data[offset + 1] !== data[offset + 2]) return false;
  }
  return true;
}

describe('@fal-ai/client in proxy mode against darkroom (local engine)', () => {
  let gateway: TestGateway;
  let photo: Uint8Array<ArrayBuffer>;

  beforeAll(async () => {
    gateway = await startTestGateway();
    photo = new Uint8Array(await patternPng(96, 64));
    fal.config({ proxyUrl: { url: `${gateway.baseUrl}/api/fal/proxy`, when: 'always' }, credentials: 'darkroom-key' });
  });
  afterAll(() => gateway.stop());

  it('subscribes to a text-to-image request with logs and queue updates', async () => {
    const updates: QueueStatus[] = [];
    let enqueued = '';
    const result = await fal.subscribe('openai/gpt-image-2', {
      input: { prompt: 'A lighthouse at dusk', image_size: 'square_hd', output_format: 'png' },
      logs: true,
      pollInterval: 50,
      onEnqueue: (requestId) => {
        enqueued = requestId;
      },
      onQueueUpdate: (update) => updates.push(update),
    });
    expect(result.requestId).toBe(enqueued);
    const output = result.data as FalOutput;
    expect(output.images).toHaveLength(1);
    expect(output.images[0]).toMatchObject({ content_type: 'image/png', width: 1024, height: 1024, file_size: expect.any(Number) });
    expect((await fetch(output.images[0]!.url)).status).toBe(200);
    const completed = updates.at(-1)!;
    expect(completed.status).toBe('COMPLETED');
    expect(completed.response_url).toMatch(new RegExp(`^http://[^/]+/fal/queue/openai/gpt-image-2/requests/${enqueued}$`));
    if (completed.status !== 'COMPLETED') throw new Error('unreachable');
    expect(completed.logs.map((log) => log.message)).toContain('Completed');
    expect(completed.metrics?.inference_time).toEqual(expect.any(Number));
  });

  it('uploads with fal.storage.upload and edits the uploaded image through the edit app', async () => {
    const fileUrl = await fal.storage.upload(new Blob([photo], { type: 'image/png' }));
    expect(fileUrl).toContain('/files/uploads/');
    const result = await fal.subscribe('openai/gpt-image-2/edit', {
      input: { prompt: 'make it black and white', image_urls: [fileUrl] },
      pollInterval: 50,
    });
    const [image] = (result.data as FalOutput).images;
    expect(image).toMatchObject({ width: 96, height: 64, content_type: 'image/png' });
    expect(await isGreyscale(image!.url)).toBe(true);
  });

  it('uploads Blob inputs automatically (storage.transformInput) on fal.run', async () => {
    const result = await fal.run('fal-ai/gpt-image-2/edit', {
      input: { prompt: 'make it black and white', image_urls: [new Blob([photo], { type: 'image/png' })], output_format: 'jpeg' },
    });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [image] = (result.data as FalOutput).images;
    expect(image).toMatchObject({ content_type: 'image/jpeg', width: 96, height: 64 });
    expect(image!.file_name).toMatch(/\.jpg$/);
  });

  it('drives queue.submit, queue.status and queue.result step by step', async () => {
    const submitted = await fal.queue.submit('openai/gpt-image-2/edit', {
      input: { prompt: 'make it black and white', image_urls: [`data:image/png;base64,${Buffer.from(photo).toString('base64')}`] },
    });
    expect(submitted).toMatchObject({ status: 'IN_QUEUE', queue_position: expect.any(Number), gateway_request_id: submitted.request_id });
    expect(submitted.status_url).toMatch(/\/fal\/queue\/openai\/gpt-image-2\/requests\/[^/]+\/status$/);
    let status = await fal.queue.status('openai/gpt-image-2/edit', { requestId: submitted.request_id, logs: true });
    while (status.status !== 'COMPLETED') {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await fal.queue.status('openai/gpt-image-2/edit', { requestId: submitted.request_id, logs: true });
    }
    expect(status.logs.length).toBeGreaterThan(0);
    const result = await fal.queue.result('openai/gpt-image-2/edit', { requestId: submitted.request_id });
    expect(result.requestId).toBe(submitted.request_id);
    expect(await isGreyscale((result.data as FalOutput).images[0]!.url)).toBe(true);
  });

  it('streams status updates (mode: streaming) until COMPLETED', async () => {
    const updates: QueueStatus[] = [];
    const result = await fal.subscribe('openai/gpt-image-2', {
      input: { prompt: 'Streaming status', image_size: { width: 512, height: 384 } },
      mode: 'streaming',
      logs: true,
      onQueueUpdate: (update) => updates.push(update),
    });
    expect((result.data as FalOutput).images[0]).toMatchObject({ width: 512, height: 384 });
    expect(updates.at(-1)?.status).toBe('COMPLETED');
    expect(updates.some((update) => 'logs' in update && update.logs.length > 0)).toBe(true);
  });

  it('fal.stream on the edit app yields partial images, then the final output', async () => {
    const stream = await fal.stream('openai/gpt-image-2/edit', {
      input: { prompt: 'make it black and white', image_urls: [`data:image/png;base64,${Buffer.from(photo).toString('base64')}`] },
    });
    const events: Array<FalOutput & { partial?: boolean }> = [];
    for await (const event of stream) events.push(event as FalOutput & { partial?: boolean });
    const final = (await stream.done()) as FalOutput & { partial?: boolean };
    const partials = events.filter((event) => event.partial === true);
    expect(partials.length).toBeGreaterThan(0);
    expect(events.indexOf(partials.at(-1)!)).toBeLessThan(events.length - 1);
    expect(final.partial).toBeUndefined();
    expect(final.images[0]).toMatchObject({ width: 96, height: 64 });
    expect(await isGreyscale(final.images[0]!.url)).toBe(true);
  });

  it('fails like fal: COMPLETED with error in the status, the real 422 from queue.result', async () => {
    const updates: QueueStatus[] = [];
    const submitted = await fal.queue.submit('openai/gpt-image-2/edit', {
      input: { prompt: 'paint a dragon breathing fire', image_urls: [`data:image/png;base64,${Buffer.from(photo).toString('base64')}`] },
    });
    const completed = await fal.queue.subscribeToStatus('openai/gpt-image-2/edit', {
      requestId: submitted.request_id,
      pollInterval: 25,
      onQueueUpdate: (update) => updates.push(update),
    });
    expect(completed).toMatchObject({ status: 'COMPLETED', error: expect.stringContaining('did not recognise'), error_type: 'feature_not_supported' });
    const failure = await fal.queue.result('openai/gpt-image-2/edit', { requestId: submitted.request_id }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    const validation = failure as ValidationError;
    expect(validation.status).toBe(422);
    expect(validation.fieldErrors[0]).toMatchObject({ loc: ['body'], type: 'feature_not_supported' });
  });

  it('rejects invalid input with a 422 ValidationError naming the field', async () => {
    const failure = await fal.queue.submit('openai/gpt-image-2/edit', { input: { prompt: 'no images', num_images: 9 } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    const validation = failure as ValidationError;
    expect(validation.status).toBe(422);
    expect(validation.getFieldErrors('image_urls')[0]).toMatchObject({ loc: ['body', 'image_urls'], type: 'missing' });
    expect(validation.getFieldErrors('num_images')[0]).toMatchObject({ type: 'less_than_equal' });
  });
});
