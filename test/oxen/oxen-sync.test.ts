import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { dataUri, patternPng, startFileServer } from '../helpers/image-fixtures.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('Oxen sync endpoints', () => {
  let gateway: TestGateway;
  let files: Awaited<ReturnType<typeof startFileServer>>;
  const fake = new FakeImageEngine('fake');

  beforeAll(async () => {
    files = await startFileServer({ '/photo.png': { body: await patternPng(320, 240) }, '/text.txt': { body: 'hello', contentType: 'image/png' } });
    gateway = await startTestGateway({
      environment: { DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake', DARKROOM_FETCH_ALLOWLIST: '127.0.0.1' },
      extraEngines: [fake],
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await files.close();
  });

  it('generates with the seed request and returns signed, downloadable URLs', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, {
      model: 'gpt-image-2',
      prompt: 'An ox standing in the middle of a long open road at sunset',
      resolution: '1920x1080',
      quality: 'high',
      output_format: 'png',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-darkroom-engine')).toBe('fake');
    expect(response.json).toMatchObject({ model: 'gpt-image-2', created: expect.any(Number) });
    const images = response.json.images as Array<{ url: string }>;
    expect(images).toHaveLength(1);
    expect(images[0]?.url).toMatch(new RegExp(`^http://localhost:${new URL(gateway.baseUrl).port}/files/results/.+\\.png\\?expires=\\d+&signature=`));
    const download = await fetch(images[0]?.url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    const metadata = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    // gpt-image-2 needs edges divisible by 16, so 1080 is fitted to 1088 and the response says so.
    expect([metadata.width, metadata.height]).toEqual([1920, 1088]);
    expect(response.headers.get('x-darkroom-warnings')).toContain('produced 1920x1088');
    const tampered = await fetch(images[0]!.url.replace(/signature=./, 'signature=x'));
    expect(tampered.status).toBe(403);
  });

  it('uses 1920x1080 (fitted to 1920x1088) by default for generate and the input size for edit (auto)', async () => {
    await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'gpt-image-2', prompt: 'x' });
    expect(fake.calls.at(-1)?.size).toEqual({ width: 1920, height: 1088 });
    const edit = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'Place the subject on the moon',
      input_image: [`${files.url}/photo.png`],
    });
    expect(edit.status).toBe(200);
    expect(fake.calls.at(-1)?.size).toBeUndefined();
    expect(fake.calls.at(-1)?.inputImages[0]).toMatchObject({ width: 320, height: 240, mediaType: 'image/png' });
  });

  it('maps 1K/2K/4K tiers with aspect ratios, fitted to the engine limits', async () => {
    await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'gpt-image-2', prompt: 'x', resolution: '4K', aspect_ratio: '16:9' });
    expect(fake.calls.at(-1)?.size).toEqual({ width: 3840, height: 2160 });
    await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'gpt-image-2', prompt: 'x', resolution: '1K', aspect_ratio: 'auto', input_image: `${files.url}/photo.png` });
    const size = fake.calls.at(-1)?.size;
    expect(size && size.width / size.height).toBeCloseTo(4 / 3, 1);
  });

  it('returns b64_json when asked, with num_images images', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, {
      model: 'gpt-image-2',
      prompt: 'three frames',
      resolution: '1024x768',
      num_images: 3,
      response_format: 'b64_json',
      output_format: 'webp',
    });
    expect(response.status).toBe(200);
    const images = response.json.images as Array<{ b64_json: string }>;
    expect(images).toHaveLength(3);
    const decoded = Buffer.from(images[0]?.b64_json ?? '', 'base64');
    expect((await sharp(decoded).metadata()).format).toBe('webp');
  });

  it('accepts data URIs and a single input_image string', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'x',
      input_image: dataUri(await patternPng(64, 32)),
    });
    expect(response.status).toBe(200);
    expect(fake.calls.at(-1)?.inputImages[0]).toMatchObject({ width: 64, height: 32 });
  });

  it.each([
    [{ model: 'gpt-image-2', prompt: '' }, 'prompt', 'Prompt cannot be empty'],
    [{ model: 'gpt-image-2' }, 'prompt', 'Prompt cannot be empty'],
    [{ prompt: 'x' }, 'model', 'required'],
    [{ model: 'no-such-model', prompt: 'x' }, 'model', 'Model not found: no-such-model'],
    [{ model: 'gpt-image-2', prompt: 'x', quality: 'ultra' }, 'quality', 'Invalid option'],
    [{ model: 'gpt-image-2', prompt: 'x', num_images: 9 }, 'num_images', '<=4'],
    [{ model: 'gpt-image-2', prompt: 'x', resolution: '999x999' }, 'resolution', 'Invalid option'],
    [{ model: 'gpt-image-2', prompt: 42 }, 'prompt', 'must be a string'],
  ])('rejects %j naming the field', async (body, field, reason) => {
    const before = (await gateway.store.list({ limit: 1000 })).length;
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.json).toMatchObject({ status: 'error', error: { field } });
    expect(JSON.stringify(response.json)).toContain(reason);
    expect((await gateway.store.list({ limit: 1000 })).length).toBe(before);
  });

  it('rejects edits without images, blocked URLs and non-images with 4xx naming the field', async () => {
    const noImage = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'gpt-image-2-edit', prompt: 'x' });
    expect(noImage.status).toBe(400);
    expect(noImage.json).toMatchObject({ error: { field: 'input_image' } });
    const blocked = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'x',
      input_image: ['http://169.254.169.254/latest/meta-data/'],
    });
    expect(blocked.status).toBe(400);
    expect((blocked.json.error as { detail: string }).detail).toMatch(/^input_image\.0: .*private or reserved/);
    const notImage = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'gpt-image-2-edit', prompt: 'x', input_image: [`${files.url}/text.txt`] });
    expect(notImage.status).toBeGreaterThanOrEqual(400);
    expect(notImage.status).toBeLessThan(500);
    expect((notImage.json.error as { detail: string }).detail).toMatch(/^input_image\.0: /);
    const missing = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'gpt-image-2-edit', prompt: 'x', input_image: [`${files.url}/missing.png`] });
    expect((missing.json.error as { detail: string }).detail).toMatch(/HTTP 404/);
    expect(await gateway.blobs.list('inputs/')).toEqual((await gateway.blobs.list('inputs/')).filter(() => true));
  });

  it('checks the mask against the first image and names both sizes', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'x',
      input_image: [`${files.url}/photo.png`],
      mask_url: dataUri(await patternPng(100, 100)),
    });
    expect(response.status).toBe(400);
    expect((response.json.error as { detail: string }).detail).toMatch(/mask_url: .*100x100.*320x240/);
  });

  it('serves the model catalog with request schemas under both names', async () => {
    const list = await getJson(`${gateway.baseUrl}/api/ai/models`);
    const ids = (list.json.data as Array<{ id: string }>).map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-image-2', 'gpt-image-2-edit', 'darkroom-local']));
    const model = await getJson(`${gateway.baseUrl}/api/ai/models/gpt-image-2-edit`);
    expect(model.json.request_schema).toEqual(model.json.json_request_schema);
    const schema = model.json.request_schema as { properties: Record<string, { enum?: string[] }>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['model', 'prompt', 'input_image']));
    expect(schema.properties.quality?.enum).toEqual(['auto', 'low', 'medium', 'high']);
    expect(model.json.engine).toMatchObject({ id: 'fake' });
    expect((await getJson(`${gateway.baseUrl}/api/ai/models/nope`)).status).toBe(404);
  });
});

describe('inputs that point back at darkroom', () => {
  it('reads a previous result by its signed URL without fetching over the network', async () => {
    const gateway = await startTestGateway();
    try {
      const first = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'darkroom-local', prompt: 'a title card', resolution: '1024x768' });
      const url = (first.json.images as Array<{ url: string }>)[0]!.url;
      const edit = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'darkroom-local', prompt: 'make it black and white', input_image: [url] });
      expect(edit.status).toBe(200);
      const forged = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'darkroom-local', prompt: 'grayscale', input_image: [url.replace(/signature=[^&]+/, 'signature=forged')] });
      expect(forged.status).toBe(400);
      expect(JSON.stringify(forged.json)).toContain('private or reserved');
    } finally {
      await gateway.stop();
    }
  });
});
