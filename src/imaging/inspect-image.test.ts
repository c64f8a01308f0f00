import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../domain/gateway-error.ts';
import { inspectImage } from './inspect-image.ts';

const limits = { field: 'image[0]', maxPixels: 40_000_000, maxBytes: 5_000_000 };

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('inspectImage', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    // 268 MP of one colour deflates to well under 1 MB: the classic decompression bomb.
    bomb = await sharp({ create: { width: 16384, height: 16384, channels: 3, background: '#808080' }, limitInputPixels: false }).png().toBuffer();
  });

  it('reports type, size and alpha of valid images', async () => {
    const png = await sharp({ create: { width: 30, height: 20, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png().toBuffer();
    await expect(inspectImage(png, limits)).resolves.toEqual({ mediaType: 'image/png', width: 30, height: 20, hasAlpha: true });
    const jpeg = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    await expect(inspectImage(jpeg, limits)).resolves.toEqual({ mediaType: 'image/jpeg', width: 30, height: 20, hasAlpha: false });
  });

  it('reports the displayed size of EXIF-rotated photos', async () => {
    const rotated = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#123456' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    await expect(inspectImage(rotated, limits)).resolves.toMatchObject({ width: 20, height: 30 });
  });

  it('rejects a decompression bomb from its header, quickly', async () => {
    expect(bomb.byteLength).toBeLessThan(1_000_000);
    const started = performance.now();
    const error = await rejection(inspectImage(bomb, limits));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('invalid_request');
    expect(error.field).toBe('image[0]');
    expect(error.message).toBe('image[0]: image is 16384x16384 = 268435456 pixels, above the limit of 40000000');
    // Header parsing takes a few ms; a decode of 268 MP would take seconds and ~800 MB.
    expect(elapsed).toBeLessThan(250);
  });

  it('rejects unsupported formats with the field first', async () => {
    const gif = await rejection(inspectImage(new TextEncoder().encode('GIF89a\u0001\u0000\u0001\u0000'), limits));
    expect(gif.code).toBe('unsupported_media_type');
    expect(gif.message).toMatch(/^image\[0\]: the file is a gif image; only png, jpeg and webp are accepted$/);
    expect(gif.field).toBe('image[0]');
  });

  it('rejects files above the byte limit', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    const error = await rejection(inspectImage(png, { ...limits, maxBytes: 1000 }));
    expect(error.code).toBe('payload_too_large');
    expect(error.message.startsWith('image[0]: ')).toBe(true);
  });

  it('rejects corrupt and truncated files as undecodable', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    const truncated = await rejection(inspectImage(png.subarray(0, Math.floor(png.length * 0.6)), limits));
    expect(truncated.code).toBe('invalid_request');
    expect(truncated.message).toMatch(/^image\[0\]: could not be decoded as png/);

    const garbage = Buffer.concat([png.subarray(0, 8), Buffer.from('definitely not an IHDR chunk')]);
    const corrupt = await rejection(inspectImage(garbage, { ...limits, field: 'mask' }));
    expect(corrupt.code).toBe('invalid_request');
    expect(corrupt.message).toMatch(/^mask: could not be decoded as png/);

    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg().toBuffer();
    const brokenJpeg = await rejection(inspectImage(jpeg.subarray(0, jpeg.length - 200), limits));
    expect(brokenJpeg.message).toMatch(/^image\[0\]: could not be decoded as jpeg/);
  });
});
