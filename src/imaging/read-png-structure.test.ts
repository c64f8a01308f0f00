import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readPngStructure } from './read-png-structure.ts';

const noisyPng = (channels: 3 | 4 = 3) =>
  sharp({ create: { width: 96, height: 64, channels, background: { r: 0, g: 0, b: 0, alpha: 0.5 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();

describe('readPngStructure', () => {
  it('reads the size and alpha of a whole PNG, also with bytes after IEND', async () => {
    const png = await noisyPng();
    expect(readPngStructure(png)).toEqual({ header: { width: 96, height: 64, hasAlpha: false }, hasExif: false });
    expect(readPngStructure(Buffer.concat([png, Buffer.from('trailing')])).problem).toBeUndefined();
    expect(readPngStructure(await noisyPng(4)).header?.hasAlpha).toBe(true);
    const palette = await sharp(await noisyPng(4)).png({ palette: true }).toBuffer();
    expect(readPngStructure(palette).header?.hasAlpha).toBe((await sharp(palette).metadata()).hasAlpha);
  });

  it('finds truncation anywhere in the file, keeping the header it could read', async () => {
    const png = await noisyPng();
    for (const keep of [0.2, 0.5, 0.9, (png.length - 5) / png.length]) {
      const structure = readPngStructure(png.subarray(0, Math.floor(png.length * keep)));
      expect(structure.problem).toMatch(/ends/);
      expect(structure.header).toEqual({ width: 96, height: 64, hasAlpha: false });
    }
  });

  it('finds a flipped byte inside the pixel data by its checksum', async () => {
    const png = Buffer.from(await noisyPng());
    const idat = png.indexOf('IDAT');
    png[idat + 100] = (png[idat + 100] ?? 0) ^ 0xff;
    expect(readPngStructure(png).problem).toBe('the IDAT chunk fails its checksum');
  });

  it('requires IHDR first and image data before IEND, and notices EXIF', async () => {
    const png = await noisyPng();
    expect(readPngStructure(Buffer.from('not a png at all')).problem).toBe('not a PNG signature');
    const iend = png.subarray(png.length - 12);
    const ihdr = png.subarray(8, 8 + 25);
    expect(readPngStructure(Buffer.concat([png.subarray(0, 8), ihdr, iend])).problem).toBe('there is no image data');
    expect(readPngStructure(Buffer.concat([png.subarray(0, 8), iend])).problem).toBe('the first chunk is not IHDR');
    const withExif = await sharp(png).withMetadata({ orientation: 6 }).png().toBuffer();
    expect(readPngStructure(withExif).hasExif).toBe((await sharp(withExif).metadata()).exif !== undefined);
  });
});
