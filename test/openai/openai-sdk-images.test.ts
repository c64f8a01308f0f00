import type OpenAI from 'openai';
import { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataUri, patternPng, solidPng } from '../helpers/image-fixtures.ts';
import { getJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { alphaMask, fromBase64, openAiClient, pixelAt, rgbPixels } from './openai-fixtures.ts';

/** The official `openai` SDK against a real darkroom serving gpt-image-2 with the offline local engine. */
describe('OpenAI SDK against /v1 (local engine)', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = openAiClient(gateway);
  });
  afterAll(() => gateway.stop());

  it('generates b64_json images with the spec response shape, echoing the produced size', async () => {
    const response = await client.images.generate({ model: 'gpt-image-2', prompt: 'A lighthouse at dusk', size: '384x256', quality: 'low' });
    expect(response).toMatchObject({
      created: expect.any(Number),
      background: 'opaque',
      output_format: 'png',
      size: '384x256',
      quality: 'low',
      usage: {
        total_tokens: 0,
        input_tokens: 0,
        output_tokens: 0,
        input_tokens_details: { text_tokens: 0, image_tokens: 0 },
        output_tokens_details: { image_tokens: 0, text_tokens: 0 },
      },
    });
    expect(response.data).toHaveLength(1);
    const metadata = await sharp(fromBase64(response.data?.[0]?.b64_json)).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 384, 256]);
  });

  it('answers with job, engine and notice headers, and the job is visible in the Oxen queue API', async () => {
    const { data: body, response } = await client.images.generate({ prompt: 'headers please', size: '256x256' }).withResponse();
    const jobId = response.headers.get('x-darkroom-job-id');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-darkroom-engine')).toBe('local');
    expect(response.headers.get('x-darkroom-notice')).toContain('offline local engine');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(body.size).toBe('256x256');
    const generation = await getJson(`${gateway.baseUrl}/api/ai/queue/${jobId}`);
    expect(generation.json).toMatchObject({ generation_id: jobId, model_name: 'gpt-image-2', status: 'succeeded', size: '256x256' });
  });

  it('returns n images, and darkroom signed URLs with response_format url (extension)', async () => {
    const response = await client.images.generate({
      prompt: 'Two postcards',
      n: 2,
      size: '320x240',
      output_format: 'webp',
      response_format: 'url',
    });
    expect(response.data).toHaveLength(2);
    expect(response.output_format).toBe('webp');
    for (const image of response.data ?? []) {
      expect(image.b64_json).toBeUndefined();
      expect(image.url).toMatch(/\/files\/results\/.+\.webp\?expires=\d+&signature=/);
      const download = await fetch(image.url ?? '');
      expect(download.headers.get('content-type')).toBe('image/webp');
      expect((await sharp(Buffer.from(await download.arrayBuffer())).metadata()).width).toBe(320);
    }
  });

  it('maps standard/hd qualities and echoes auto as the concrete level', async () => {
    expect((await client.images.generate({ prompt: 'hd', quality: 'hd', size: '256x256' })).quality).toBe('high');
    expect((await client.images.generate({ prompt: 'standard', quality: 'standard', size: '256x256' })).quality).toBe('medium');
    const auto = await client.images.generate({ prompt: 'auto everything', size: '256x256', background: 'transparent' });
    expect(auto).toMatchObject({ quality: 'medium', background: 'transparent' });
    expect((await sharp(fromBase64(auto.data?.[0]?.b64_json)).metadata()).hasAlpha).toBe(true);
  });

  it('edits several images sent as image[] (toFile) in order', async () => {
    const red = await solidPng(64, 48, { r: 220, g: 20, b: 20 });
    const blue = await solidPng(64, 48, { r: 20, g: 20, b: 220 });
    const response = await client.images.edit({
      model: 'gpt-image-2',
      image: [await toFile(red, 'red.png', { type: 'image/png' }), await toFile(blue, 'blue.png', { type: 'image/png' })],
      prompt: 'Place the two photos side by side',
    });
    const pixels = await rgbPixels(fromBase64(response.data?.[0]?.b64_json));
    expect([pixels.width, pixels.height]).toEqual([128, 48]);
    expect(response.size).toBe('128x48');
    expect(pixelAt(pixels, 10, 24)).toEqual([220, 20, 20]);
    expect(pixelAt(pixels, 118, 24)).toEqual([20, 20, 220]);
  });

  it('applies an OpenAI alpha mask: only the transparent area changes, the rest stays bit-identical', async () => {
    const photo = await patternPng(96, 64);
    const hole = { left: 16, top: 8, width: 40, height: 24 };
    const response = await client.images.edit({
      image: await toFile(photo, 'photo.png', { type: 'image/png' }),
      mask: await toFile(await alphaMask(96, 64, hole), 'mask.png', { type: 'image/png' }),
      prompt: 'invert the colours',
      output_format: 'png',
    });
    const before = await rgbPixels(photo);
    const after = await rgbPixels(fromBase64(response.data?.[0]?.b64_json));
    let changedInside = 0;
    for (let y = 0; y < 64; y += 1) {
      for (let x = 0; x < 96; x += 1) {
        const inside = x >= hole.left && x < hole.left + hole.width && y >= hole.top && y < hole.top + hole.height;
        const original = pixelAt(before, x, y);
        const edited = pixelAt(after, x, y);
        if (inside) {
          expect(edited).toEqual(original.map((channel) => 255 - channel));
          changedInside += 1;
        } else {
          expect(edited).toEqual(original);
        }
      }
    }
    expect(changedInside).toBe(hole.width * hole.height);
  });

  it('accepts JSON edits with image_url data URLs and file_id references from client.files.create', async () => {
    const photo = await patternPng(80, 60);
    const uploaded = await client.files.create({ file: await toFile(photo, 'photo.png', { type: 'image/png' }), purpose: 'vision' });
    expect(uploaded).toMatchObject({ id: expect.stringMatching(/^file-/), object: 'file', bytes: photo.byteLength, filename: 'photo.png', purpose: 'vision', status: 'processed' });
    expect(await client.files.retrieve(uploaded.id)).toMatchObject({ id: uploaded.id, bytes: photo.byteLength });
    const content = Buffer.from(await (await client.files.content(uploaded.id)).arrayBuffer());
    expect(content.equals(Buffer.from(photo))).toBe(true);
    expect((await client.files.list()).data.map((file) => file.id)).toContain(uploaded.id);

    const viaFile = await client.post<OpenAI.ImagesResponse>('/images/edits', {
      body: { model: 'gpt-image-2', prompt: 'make it grayscale', images: [{ file_id: uploaded.id }] },
    });
    const viaDataUrl = await client.post<OpenAI.ImagesResponse>('/images/edits', {
      body: {
        prompt: 'make it grayscale',
        images: [{ image_url: dataUri(photo) }],
        mask: { image_url: dataUri(await alphaMask(80, 60, { left: 0, top: 0, width: 80, height: 60 })) },
      },
    });
    for (const response of [viaFile, viaDataUrl]) {
      expect(response.size).toBe('80x60');
      const pixels = await rgbPixels(fromBase64(response.data?.[0]?.b64_json));
      const [r, g, b] = pixelAt(pixels, 40, 30);
      expect(r).toBe(g);
      expect(g).toBe(b);
    }

    expect(await client.files.delete(uploaded.id)).toEqual({ id: uploaded.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(uploaded.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      client.post('/images/edits', { body: { prompt: 'grayscale', images: [{ file_id: uploaded.id }] } }),
    ).rejects.toMatchObject({ status: 400, param: 'images[0].file_id' });
  });

  it('lists and retrieves models', async () => {
    const models = await client.models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-image-2', 'gpt-image-2-edit', 'darkroom-local']));
    expect(models.data[0]).toEqual({ id: expect.any(String), object: 'model', created: expect.any(Number), owned_by: 'darkroom' });
    expect(await client.models.retrieve('gpt-image-2')).toMatchObject({ id: 'gpt-image-2', object: 'model' });
    await expect(client.models.retrieve('dall-e-9')).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });
});
