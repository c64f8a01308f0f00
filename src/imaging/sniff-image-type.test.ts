import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeUnsupportedImage, sniffImageType } from './sniff-image-type.ts';

const tiny = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } });

describe('sniffImageType', () => {
  it('recognises png, jpeg and webp from real encoder output', async () => {
    expect(sniffImageType(await tiny().png().toBuffer())).toBe('image/png');
    expect(sniffImageType(await tiny().jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageType(await tiny().webp().toBuffer())).toBe('image/webp');
  });

  it('refuses anything else, including near misses', async () => {
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
    expect(sniffImageType(new TextEncoder().encode('GIF89a....'))).toBeUndefined();
    expect(sniffImageType(new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageType(await tiny().tiff().toBuffer())).toBeUndefined();
  });

  it('names common refused formats for error messages', async () => {
    expect(describeUnsupportedImage(new TextEncoder().encode('GIF89a....'))).toBe('gif');
    expect(describeUnsupportedImage(await tiny().tiff().toBuffer())).toBe('tiff');
    expect(describeUnsupportedImage(new TextEncoder().encode('  <svg></svg>'))).toBe('svg');
    expect(describeUnsupportedImage(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
