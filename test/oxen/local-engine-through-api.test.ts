import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataUri, patternPng, rectangleMask } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const raw = async (bytes: Uint8Array) => {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
};

describe('the local engine through the Oxen API', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('changes pixels only where the mask is white; outside it the output is bit-identical', async () => {
    const input = await patternPng(200, 120);
    const mask = await rectangleMask(200, 120, { left: 50, top: 30, width: 60, height: 40 });
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'invert the colors',
      input_image: [dataUri(input)],
      mask_url: dataUri(mask),
      response_format: 'b64_json',
    });
    expect(response.status).toBe(200);
    const output = await raw(Buffer.from((response.json.images as Array<{ b64_json: string }>)[0]!.b64_json, 'base64'));
    const original = await raw(input);
    expect([output.width, output.height]).toEqual([200, 120]);
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < 120; y += 1) {
      for (let x = 0; x < 200; x += 1) {
        const offset = (y * 200 + x) * 4;
        const same = [0, 1, 2, 3].every((channel) => output.data[offset + channel] === original.data[offset + channel]);
        const inside = x >= 50 && x < 110 && y >= 30 && y < 70;
        if (!same && inside) changedInside += 1;
        if (!same && !inside) changedOutside += 1;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(60 * 40 * 0.9);
  });

  it('generates a typeset composition at the requested size, count and format', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, {
      model: 'gpt-image-2',
      prompt: 'Grand opening — Saturday',
      resolution: '1024x1024',
      num_images: 2,
      output_format: 'jpeg',
      response_format: 'b64_json',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-darkroom-notice')).toContain('offline local engine');
    const images = (response.json.images as Array<{ b64_json: string }>).map((image) => Buffer.from(image.b64_json, 'base64'));
    expect(images).toHaveLength(2);
    for (const image of images) expect(await sharp(image).metadata()).toMatchObject({ width: 1024, height: 1024, format: 'jpeg' });
    expect(images[0]!.equals(images[1]!)).toBe(false);
  });

  it('fails an unrecognised edit with a clear error listing what it supports', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'Replace the person with a golden retriever',
      input_image: dataUri(await patternPng(64, 64)),
    });
    expect(response.status).toBe(422);
    const detail = (response.json.error as { detail: string }).detail;
    expect(detail).toContain('grayscale');
    expect(detail).toContain('OPENAI_API_KEY');
  });
});
