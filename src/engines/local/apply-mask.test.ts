import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { applyMask, decodeMask } from './apply-mask.ts';
import { solidRgba } from './rgba-image.ts';

describe('applyMask', () => {
  it('keeps the original where the mask is 0, takes the edit at 255 and blends in between', () => {
    const original = solidRgba(3, 1, { red: 100, green: 0, blue: 200 });
    const edited = solidRgba(3, 1, { red: 200, green: 255, blue: 0 }, 0);
    const result = applyMask(original, edited, { data: Buffer.from([0, 255, 128]), width: 3, height: 1 });
    expect([...result.data]).toEqual([100, 0, 200, 255, 200, 255, 0, 0, 150, 128, 100, 127]);
  });

  it('refuses mismatched sizes instead of reading out of bounds', () => {
    const image = solidRgba(4, 4, { red: 0, green: 0, blue: 0 });
    expect(() => applyMask(image, image, { data: Buffer.alloc(4), width: 2, height: 2 })).toThrow(/equal sizes/);
  });
});

describe('decodeMask', () => {
  it('reads one luminance byte per pixel, transparent as keep', async () => {
    const png = await sharp(Buffer.from([255, 255, 255, 255, 255, 255, 255, 0]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const mask = await decodeMask(png);
    expect([mask.width, mask.height, ...mask.data]).toEqual([2, 1, 255, 0]);
  });
});
