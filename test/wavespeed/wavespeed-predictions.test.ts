import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waveSpeedDialect } from '../../src/dialects/wavespeed/wavespeed-routes.ts';
import { dataUri, solidPng } from '../helpers/image-fixtures.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

type Prediction = {
  id: string;
  model: string;
  outputs: string[];
  urls: { get: string };
  has_nsfw_contents: boolean[];
  status: string;
  created_at: string;
  error: string;
  timings: { inference: number };
};

const dataOf = (json: Record<string, unknown>) => json.data as Prediction;

describe('WaveSpeed predictions over raw HTTP (local engine)', () => {
  let gateway: TestGateway;
  const edit = (body: Record<string, unknown>, query = '') => postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/edit${query}`, body);
  const textToImage = (body: Record<string, unknown> | string) => postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/text-to-image`, body);
  const waitForResult = async (id: string): Promise<Prediction> => {
    for (;;) {
      const { status, json } = await getJson(`${gateway.baseUrl}/api/v3/predictions/${id}/result`);
      expect(status).toBe(200);
      const data = dataOf(json);
      if (data.status === 'completed' || data.status === 'failed') return data;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const sizeOf = async (url: string) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    return { width: metadata.width, height: metadata.height, format: metadata.format };
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('answers a submit with the created envelope, then serves the completed one on /result and /predictions/{id}', async () => {
    const submitted = await edit({ images: [dataUri(await solidPng(1200, 800))], prompt: 'make it black and white' });
    expect(submitted.status).toBe(200);
    expect(submitted.headers.get('x-darkroom-engine')).toBe('local');
    const created = dataOf(submitted.json);
    expect(submitted.json).toMatchObject({ code: 200, message: 'success' });
    expect(created).toEqual({
      id: expect.any(String),
      model: 'openai/gpt-image-2/edit',
      outputs: [],
      urls: { get: expect.stringMatching(new RegExp(`/api/v3/predictions/${created.id}/result$`)) },
      has_nsfw_contents: [],
      status: 'created',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      error: '',
      timings: { inference: 0 },
    });
    const done = await waitForResult(created.id);
    expect(done).toMatchObject({ id: created.id, status: 'completed', error: '', has_nsfw_contents: [false] });
    expect(done.outputs).toHaveLength(1);
    expect(done.timings.inference).toBeGreaterThanOrEqual(0);
    // Auto-detected 3:2 from the 1200×800 input, at the default 1k tier.
    expect(await sizeOf(done.outputs[0]!)).toEqual({ width: 1248, height: 832, format: 'png' });
    const plain = await getJson(`${gateway.baseUrl}/api/v3/predictions/${created.id}`);
    expect({ ...dataOf(plain.json), outputs: [] }).toEqual({ ...done, outputs: [] });
  });

  it('snaps an input without aspect_ratio to the closest supported ratio; an explicit ratio and tier win', async () => {
    const odd = await edit({ images: [dataUri(await solidPng(1000, 700))], prompt: 'make it black and white', enable_sync_mode: true });
    expect(await sizeOf(dataOf(odd.json).outputs[0]!)).toMatchObject({ width: 1248, height: 832 });
    const square = await edit({ images: [dataUri(await solidPng(1200, 800))], prompt: 'make it black and white', aspect_ratio: '1:1', resolution: '2k', enable_sync_mode: true });
    expect(await sizeOf(dataOf(square.json).outputs[0]!)).toMatchObject({ width: 2048, height: 2048 });
  });

  it('sizes text-to-image by resolution tier and ratio (1:1 by default), in the requested format', async () => {
    const square = await textToImage({ prompt: 'a lighthouse', enable_sync_mode: true });
    expect(dataOf(square.json).status).toBe('completed');
    expect(await sizeOf(dataOf(square.json).outputs[0]!)).toEqual({ width: 1024, height: 1024, format: 'png' });
    const wide = await textToImage({ prompt: 'a lighthouse', resolution: '2k', aspect_ratio: '16:9', output_format: 'jpeg', enable_sync_mode: true });
    expect(await sizeOf(dataOf(wide.json).outputs[0]!)).toEqual({ width: 2736, height: 1536, format: 'jpeg' });
  });

  it('returns a failed task as HTTP 200 with status failed and the engine error, in sync mode and on /result', async () => {
    const response = await edit({ images: [dataUri(await solidPng(64, 64))], prompt: 'paint a dragon over the city', enable_sync_mode: true });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ code: 200, message: 'success' });
    const failed = dataOf(response.json);
    expect(failed).toMatchObject({ status: 'failed', outputs: [], has_nsfw_contents: [] });
    expect(failed.error).toContain('did not recognise any edit in the prompt');
    const polled = await getJson(`${gateway.baseUrl}/api/v3/predictions/${failed.id}/result`);
    expect(polled.status).toBe(200);
    expect(dataOf(polled.json)).toMatchObject({ status: 'failed', error: failed.error });
  });

  it('returns naked base64 outputs with enable_base64_output, in sync mode and when polled', async () => {
    const response = await textToImage({ prompt: 'base64 please', enable_sync_mode: true, enable_base64_output: true });
    const [output] = dataOf(response.json).outputs;
    expect(output).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const metadata = await sharp(Buffer.from(output!, 'base64')).metadata();
    expect({ format: metadata.format, width: metadata.width }).toEqual({ format: 'png', width: 1024 });
    const polled = await getJson(`${gateway.baseUrl}/api/v3/predictions/${dataOf(response.json).id}/result`);
    expect(dataOf(polled.json).outputs).toEqual([output]);
  });

  it('records the webhook from ?webhook= or webhook_url, and refuses it with base64 output', async () => {
    const fromQuery = await edit({ images: [dataUri(await solidPng(64, 64))], prompt: 'make it black and white' }, '?webhook=https://hooks.example.com/ws');
    expect((await gateway.store.findById(dataOf(fromQuery.json).id))?.origin).toMatchObject({
      dialect: 'wavespeed',
      operation: 'openai/gpt-image-2/edit',
      webhookUrl: 'https://hooks.example.com/ws',
    });
    const fromBody = await textToImage({ prompt: 'hooked', webhook_url: 'https://hooks.example.com/body' });
    expect((await gateway.store.findById(dataOf(fromBody.json).id))?.origin.webhookUrl).toBe('https://hooks.example.com/body');
    const refused = await textToImage({ prompt: 'x', webhook_url: 'https://hooks.example.com/b', enable_base64_output: true });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 400, data: null, message: expect.stringContaining('enable_base64_output') });
    const badQuery = await postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/text-to-image?webhook=javascript:alert(1)`, { prompt: 'x' });
    expect(badQuery.json).toEqual({ code: 400, message: 'webhook: must be an absolute http(s) URL', data: null });
  });

  it('builds its webhook body as the bare data object with the submitted input and output URLs', async () => {
    const response = await textToImage({ prompt: 'hook me', enable_sync_mode: true, webhook_url: 'https://hooks.example.com/done' });
    const job = await gateway.store.findById(dataOf(response.json).id);
    const payload = waveSpeedDialect.toWebhookPayload?.(job!, gateway.urls) as Record<string, unknown>;
    expect(payload).toMatchObject({
      id: job!.id,
      model: 'openai/gpt-image-2/text-to-image',
      input: { prompt: 'hook me', enable_sync_mode: true, webhook_url: 'https://hooks.example.com/done' },
      status: 'completed',
      has_nsfw_contents: [false],
      error: '',
      urls: { get: dataOf(response.json).urls.get },
    });
    expect(payload).not.toHaveProperty('code');
    expect(await sizeOf((payload.outputs as string[])[0]!)).toMatchObject({ width: 1024, height: 1024 });
  });

  it('answers request errors in the {code, message, data:null} envelope', async () => {
    const missing = await edit({ prompt: 'no images' });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ code: 400, message: 'images: required: a list of image URLs', data: null });
    const ratio = await textToImage({ prompt: 'x', aspect_ratio: '5:3' });
    expect(ratio.status).toBe(400);
    expect(String(ratio.json.message)).toMatch(/^aspect_ratio: must be one of/);
    const malformed = await textToImage('{"prompt":');
    expect(malformed.json).toEqual({ code: 400, message: 'body: malformed JSON', data: null });
    const badImage = await edit({ prompt: 'make it black and white', images: ['data:image/png;base64,AAAA'] });
    expect(badImage.status).toBe(400);
    expect(String(badImage.json.message)).toMatch(/^images\.0: /);
  });

  it('answers 404 for unknown predictions and unknown models', async () => {
    const unknown = await getJson(`${gateway.baseUrl}/api/v3/predictions/does-not-exist/result`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ code: 404, message: 'Job not found: does-not-exist', data: null });
    const model = await postJson(`${gateway.baseUrl}/api/v3/wavespeed-ai/flux-dev`, { prompt: 'x' });
    expect(model.status).toBe(404);
    expect(model.json).toMatchObject({ code: 404, data: null, message: expect.stringContaining('Model not found: wavespeed-ai/flux-dev') });
  });
});
