import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../domain/gateway-error.ts';
import { toInternalMask } from './convert-mask.ts';

const size = { width: 8, height: 4 };

/** 8×4 RGBA where pixels with x < 4 get `left` and the others `right`. */
function halves(left: [number, number, number, number], right: [number, number, number, number]): Promise<Buffer> {
  const data = Buffer.alloc(size.width * size.height * 4);
  for (let pixel = 0; pixel < size.width * size.height; pixel += 1) data.set(pixel % size.width < 4 ? left : right, pixel * 4);
  return sharp(data, { raw: { ...size, channels: 4 } }).png().toBuffer();
}

async function decoded(png: Uint8Array): Promise<{ channels: number; values: number[] }> {
  const metadata = await sharp(png).metadata();
  const values = await sharp(png).extractChannel(0).raw().toBuffer();
  return { channels: metadata.channels, values: [...values] };
}

describe('toInternalMask', () => {
  it('white-edits: luminance flattened onto black, so transparent white still means keep', async () => {
    const mask = await halves([255, 255, 255, 255], [255, 255, 255, 0]);
    const result = await decoded(await toInternalMask(mask, { convention: 'white-edits', expectedSize: size, field: 'mask' }));
    expect(result.channels).toBe(1);
    expect(result.values.slice(0, 8)).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);
  });

  it('white-edits: grey stays grey for blending', async () => {
    const mask = await halves([128, 128, 128, 255], [0, 0, 0, 255]);
    const result = await decoded(await toInternalMask(mask, { convention: 'white-edits', expectedSize: size, field: 'mask' }));
    expect(result.values[0]).toBeGreaterThanOrEqual(127);
    expect(result.values[0]).toBeLessThanOrEqual(129);
    expect(result.values[7]).toBe(0);
  });

  it('alpha-edits: 255 − alpha, whatever the colour', async () => {
    const mask = await halves([0, 0, 0, 0], [255, 255, 255, 255]);
    const result = await decoded(await toInternalMask(mask, { convention: 'alpha-edits', expectedSize: size, field: 'mask' }));
    expect(result.channels).toBe(1);
    expect(result.values.slice(0, 8)).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);

    const partial = await halves([10, 20, 30, 100], [0, 0, 0, 255]);
    const blended = await decoded(await toInternalMask(partial, { convention: 'alpha-edits', expectedSize: size, field: 'mask' }));
    expect(blended.values[0]).toBe(155);
  });

  it('alpha-edits without an alpha channel is refused with an explanation', async () => {
    const opaque = await sharp({ create: { ...size, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const error = await toInternalMask(opaque, { convention: 'alpha-edits', expectedSize: size, field: 'mask' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_request');
    expect((error as GatewayError).message).toMatch(/^mask: OpenAI-style masks need an alpha channel/);
  });

  it('refuses a mask whose size differs from the first image, naming both sizes', async () => {
    const mask = await halves([255, 255, 255, 255], [0, 0, 0, 255]);
    const error = await toInternalMask(mask, { convention: 'white-edits', expectedSize: { width: 16, height: 9 }, field: 'mask' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).field).toBe('mask');
    expect((error as GatewayError).message).toBe('mask: mask is 8x4 but the first input image is 16x9; they must match');
  });
});
