import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { solidPng } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { alphaMask, postForm, pngBlob } from './openai-fixtures.ts';

/** Raw multipart bodies as other clients (curl, Python, proxies) send them; a fake engine records what arrives. */
describe('OpenAI edits: multipart and JSON edge cases', () => {
  let gateway: TestGateway;
  const fake = new FakeImageEngine('fake');
  let url: string;
  const widths = [16, 24, 32, 40];
  const images: Uint8Array[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'gpt-image-2=fake' }, extraEngines: [fake] });
    url = `${gateway.baseUrl}/v1/images/edits`;
    for (const width of widths) images.push(await solidPng(width, 16));
  });
  afterAll(() => gateway.stop());

  const lastInputWidths = () => fake.calls.at(-1)?.inputImages.map((image) => image.width);

  it('accepts repeated image parts, image[] parts and a mix of both, keeping their order', async () => {
    const repeated = await postForm(url, [['prompt', 'x'], ['image', pngBlob(images[2]!)], ['image', pngBlob(images[0]!)], ['image', pngBlob(images[1]!)]]);
    expect(repeated.status).toBe(200);
    expect(lastInputWidths()).toEqual([32, 16, 24]);
    const bracketed = await postForm(url, [['image[]', pngBlob(images[3]!)], ['image[]', pngBlob(images[1]!)], ['prompt', 'x']]);
    expect(bracketed.status).toBe(200);
    expect(lastInputWidths()).toEqual([40, 24]);
    const mixed = await postForm(url, [['image', pngBlob(images[0]!)], ['image[]', pngBlob(images[3]!)], ['image[2]', pngBlob(images[2]!)], ['prompt', 'x']]);
    expect(mixed.status).toBe(200);
    expect(lastInputWidths()).toEqual([16, 40, 32]);
    // With auto size an edit keeps the first input's size, and the response says so.
    expect(mixed.json).toMatchObject({ size: '16x16', output_format: 'png' });
  });

  it('coerces string scalars and forwards the OpenAI-only fields as engine options', async () => {
    const response = await postForm(url, [
      ['image', pngBlob(images[0]!)],
      ['prompt', 'two variants'],
      ['n', '2'],
      ['size', '64x48'],
      ['quality', 'high'],
      ['output_format', 'jpeg'],
      ['output_compression', '70'],
      ['background', 'opaque'],
      ['moderation', 'low'],
      ['input_fidelity', 'high'],
      ['user', 'user-42'],
      ['stream', 'false'],
      ['partial_images', '0'],
    ]);
    expect(response.status).toBe(200);
    expect((response.json.data as unknown[]).length).toBe(2);
    expect(response.json).toMatchObject({ size: '64x48', quality: 'high', output_format: 'jpeg', background: 'opaque' });
    const request = fake.calls.at(-1)?.request;
    expect(request).toMatchObject({ imageCount: 2, quality: 'high', outputFormat: 'jpeg', outputCompression: 70, background: 'opaque', partialImages: 0 });
    expect(request?.engineOptions).toEqual({ openai: { moderation: 'low', input_fidelity: 'high', user: 'user-42' } });
    expect(fake.calls.at(-1)?.size).toEqual({ width: 64, height: 48 });
  });

  it('rejects more than 16 images with a 400 naming image', async () => {
    const parts: Array<[string, string | Blob]> = [['prompt', 'x']];
    for (let index = 0; index < 17; index += 1) parts.push(['image[]', pngBlob(images[0]!)]);
    const response = await postForm(url, parts);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { type: 'invalid_request_error', param: 'image' } });
  });

  it('validates masks: alpha required, one per request, same size as the first image; mask[] is tolerated', async () => {
    const withoutAlpha = await postForm(url, [['image', pngBlob(images[0]!)], ['mask', pngBlob(await solidPng(16, 16))], ['prompt', 'x']]);
    expect(withoutAlpha.status).toBe(400);
    expect(withoutAlpha.json).toMatchObject({ error: { param: 'mask', message: expect.stringContaining('alpha') } });
    const wrongSize = await postForm(url, [['image', pngBlob(images[0]!)], ['mask', pngBlob(await alphaMask(8, 8, { left: 0, top: 0, width: 4, height: 4 }))], ['prompt', 'x']]);
    expect(wrongSize.json).toMatchObject({ error: { param: 'mask', message: expect.stringContaining('must match') } });
    const mask = pngBlob(await alphaMask(16, 16, { left: 0, top: 0, width: 8, height: 16 }));
    const twoMasks = await postForm(url, [['image', pngBlob(images[0]!)], ['mask', mask], ['mask[]', mask], ['prompt', 'x']]);
    expect(twoMasks.json).toMatchObject({ error: { param: 'mask' } });
    const bracketed = await postForm(url, [['image', pngBlob(images[0]!)], ['mask[]', mask], ['prompt', 'x']]);
    expect(bracketed.status).toBe(200);
    // Converted to the internal convention: the transparent left half is white (edit).
    const internalMask = fake.calls.at(-1)?.mask;
    expect(internalMask).toMatchObject({ width: 16, height: 16, mediaType: 'image/png' });
    const { data } = await sharp(internalMask!.data).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[7], data[8], data[15]]).toEqual([255, 255, 0, 0]);
  });

  it('names the part for missing images, text in a file field, unreadable images and unexpected files', async () => {
    expect((await postForm(url, [['prompt', 'x']])).json).toMatchObject({ error: { param: 'image' } });
    expect((await postForm(url, [['image', 'https://example.com/a.png'], ['prompt', 'x']])).json).toMatchObject({ error: { param: 'image[0]' } });
    const notAnImage = await postForm(url, [['image', pngBlob(images[0]!)], ['image', new Blob(['hello']), 'notes.txt'], ['prompt', 'x']]);
    expect(notAnImage.status).toBe(400);
    expect(notAnImage.json).toMatchObject({ error: { param: 'image[1]', code: 'invalid_image_format' } });
    expect((await postForm(url, [['image', pngBlob(images[0]!)], ['markup', pngBlob(images[0]!)], ['prompt', 'x']])).json).toMatchObject({ error: { param: 'markup' } });
    expect((await postForm(url, [['image', pngBlob(images[0]!)], ['prompt', ' ']])).json).toMatchObject({ error: { param: 'prompt' } });
    expect((await postForm(url, [['image', pngBlob(images[0]!)], ['prompt', 'x'], ['n', 'two']])).json).toMatchObject({ error: { param: 'n' } });
  });

  it('validates JSON edit bodies: images 1..16, exactly one of image_url or file_id', async () => {
    expect((await postJson(url, { prompt: 'x' })).json).toMatchObject({ error: { param: 'images' } });
    expect((await postJson(url, { prompt: 'x', images: [] })).json).toMatchObject({ error: { param: 'images' } });
    const both = await postJson(url, { prompt: 'x', images: [{ image_url: 'data:image/png;base64,AA', file_id: 'file-1' }] });
    expect(both.json).toMatchObject({ error: { param: 'images[0]' } });
    const tooMany = await postJson(url, { prompt: 'x', images: Array.from({ length: 17 }, () => ({ file_id: 'file-x' })) });
    expect(tooMany.json).toMatchObject({ error: { param: 'images' } });
    const blocked = await postJson(url, { prompt: 'x', images: [{ image_url: 'http://169.254.169.254/latest/meta-data' }] });
    expect(blocked.status).toBe(400);
    expect(blocked.json).toMatchObject({ error: { param: 'images[0].image_url' } });
  });
});
