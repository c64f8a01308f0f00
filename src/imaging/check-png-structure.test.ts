import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkPngStructure } from './check-png-structure.ts';

const noisyPng = () => sharp({ create: { width: 96, height: 64, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();

describe('checkPngStructure', () => {
  it('accepts a whole PNG, also with bytes after IEND', async () => {
    const png = await noisyPng();
    expect(checkPngStructure(png)).toBeUndefined();
    expect(checkPngStructure(Buffer.concat([png, Buffer.from('trailing')]))).toBeUndefined();
  });

  it('finds truncation anywhere in the file', async () => {
    const png = await noisyPng();
    for (const keep of [0.2, 0.5, 0.9, (png.length - 5) / png.length]) {
      expect(checkPngStructure(png.subarray(0, Math.floor(png.length * keep)))).toMatch(/ends/);
    }
  });

  it('finds a flipped byte inside the pixel data by its checksum', async () => {
    const png = Buffer.from(await noisyPng());
    const idat = png.indexOf('IDAT');
    png[idat + 100] = (png[idat + 100] ?? 0) ^ 0xff;
    expect(checkPngStructure(png)).toBe('the IDAT chunk fails its checksum');
  });

  it('requires IHDR first and image data before IEND', async () => {
    const png = await noisyPng();
    expect(checkPngStructure(Buffer.from('not a png at all'))).toBe('not a PNG signature');
    const iend = png.subarray(png.length - 12);
    const ihdr = png.subarray(8, 8 + 25);
    expect(checkPngStructure(Buffer.concat([png.subarray(0, 8), ihdr, iend]))).toBe('there is no image data');
    expect(checkPngStructure(Buffer.concat([png.subarray(0, 8), iend]))).toBe('the first chunk is not IHDR');
  });
});
