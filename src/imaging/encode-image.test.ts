import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeImage, type RawPixels } from './encode-image.ts';

/** A deterministic, hard-to-compress RGBA test pattern. */
function pattern(width: number, height: number, alpha: (index: number) => number = () => 255): RawPixels {
  const data = Buffer.alloc(width * height * 4);
  let state = 12345;
  for (let index = 0; index < width * height; index += 1) {
    for (let channel = 0; channel < 3; channel += 1) {
      state = (state * 1103515245 + 12345) >>> 0;
      data[index * 4 + channel] = state >>> 24;
    }
    data[index * 4 + 3] = alpha(index);
  }
  return { data, width, height, channels: 4 };
}

const rawOf = async (bytes: Uint8Array) => sharp(bytes).ensureAlpha().raw().toBuffer();

describe('encodeImage', () => {
  it('encodes each format with its media type and size', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const encoded = await encodeImage(pattern(40, 30), format, 'auto', undefined);
      expect(encoded.mediaType).toBe(`image/${format}`);
      expect([encoded.width, encoded.height]).toEqual([40, 30]);
      expect((await sharp(encoded.data).metadata()).format).toBe(format);
    }
  });

  it('maps quality to visibly different encoder settings', async () => {
    const pixels = pattern(64, 64);
    const jpegLow = await encodeImage(pixels, 'jpeg', 'low', undefined);
    const jpegHigh = await encodeImage(pixels, 'jpeg', 'high', undefined);
    expect(jpegLow.data.length).toBeLessThan(jpegHigh.data.length);
    const pngLow = await encodeImage(pixels, 'png', 'low', undefined);
    const pngAuto = await encodeImage(pixels, 'png', 'auto', undefined);
    expect((await sharp(pngLow.data).metadata()).isPalette).toBe(true);
    expect((await sharp(pngAuto.data).metadata()).isPalette).toBe(false);
  });

  it('lets an explicit compression value override the quality preset', async () => {
    const pixels = pattern(64, 64);
    const forcedLow = await encodeImage(pixels, 'webp', 'high', 5);
    const high = await encodeImage(pixels, 'webp', 'high', undefined);
    expect(forcedLow.data.length).toBeLessThan(high.data.length);
  });

  it('keeps pixels bit-exact in png and lossless webp, even under alpha 0', async () => {
    const pixels = pattern(32, 32, (index) => (index % 3 === 0 ? 0 : index % 3 === 1 ? 128 : 255));
    for (const format of ['png', 'webp'] as const) {
      const encoded = await encodeImage(pixels, format, 'low', undefined, { lossless: true });
      expect(Buffer.compare(await rawOf(encoded.data), Buffer.from(pixels.data))).toBe(0);
    }
  });

  it('fast png stays lossless but skips row filters and the palette', async () => {
    const source = pattern(64, 48);
    const fast = await encodeImage(source, 'png', 'low', undefined, { fast: true });
    const quantised = await encodeImage(source, 'png', 'low', undefined);
    expect(await rawOf(fast.data)).toEqual(Buffer.from(source.data));
    expect(await rawOf(quantised.data)).not.toEqual(Buffer.from(source.data));
  });

  it('stores only the channels the pixels need', async () => {
    const grey = pattern(16, 16);
    for (let offset = 0; offset < grey.data.length; offset += 4) grey.data.fill(grey.data[offset] ?? 0, offset + 1, offset + 3);
    const greyPng = await encodeImage(grey, 'png', 'auto', undefined);
    expect((await sharp(greyPng.data).metadata()).channels).toBe(1);
    expect(Buffer.compare(await rawOf(greyPng.data), Buffer.from(grey.data))).toBe(0);
    const greyTranslucent = { ...grey, data: Buffer.from(grey.data) };
    for (let offset = 3; offset < greyTranslucent.data.length; offset += 8) greyTranslucent.data[offset] = 0;
    const greyAlphaPng = await encodeImage(greyTranslucent, 'png', 'auto', undefined);
    expect((await sharp(greyAlphaPng.data).metadata()).channels).toBe(2);
    expect(Buffer.compare(await rawOf(greyAlphaPng.data), greyTranslucent.data)).toBe(0);
    expect((await sharp((await encodeImage(pattern(16, 16), 'png', 'auto', undefined)).data).metadata()).channels).toBe(3);
    const translucent = pattern(16, 16, () => 200);
    const encoded = await encodeImage(translucent, 'png', 'auto', undefined);
    expect((await sharp(encoded.data).metadata()).channels).toBe(4);
    expect(Buffer.compare(await rawOf(encoded.data), Buffer.from(translucent.data))).toBe(0);
  });

  it('flattens transparency onto white for jpeg', async () => {
    const transparent = { data: Buffer.alloc(8 * 8 * 4), width: 8, height: 8, channels: 4 as const };
    const encoded = await encodeImage(transparent, 'jpeg', 'high', undefined);
    const { data } = await sharp(encoded.data).raw().toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeGreaterThan(250);
  });
});
