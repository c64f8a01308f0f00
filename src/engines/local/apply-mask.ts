import sharp from 'sharp';
import type { RgbaImage } from './rgba-image.ts';

/** One byte per pixel, internal convention: 255 = take the edit, 0 = keep the original, between = blend. */
export type MaskPixels = { data: Buffer; width: number; height: number };

export async function decodeMask(bytes: Uint8Array): Promise<MaskPixels> {
  const { data, info } = await sharp(bytes, { autoOrient: true, failOn: 'warning' })
    .flatten({ background: '#000000' })
    .toColourspace('b-w')
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * original + (edited − original) · mask / 255, per RGBA byte, in integers. Where the mask is 0 the result
 * is the original bit for bit; where it is 255 it is the edit bit for bit.
 */
export function applyMask(original: RgbaImage, edited: RgbaImage, mask: MaskPixels): RgbaImage {
  const { width, height } = original;
  if (edited.width !== width || edited.height !== height || mask.width !== width || mask.height !== height) {
    throw new Error(`mask compositing needs equal sizes: original ${width}x${height}, edit ${edited.width}x${edited.height}, mask ${mask.width}x${mask.height}`);
  }
  const result = Buffer.allocUnsafe(original.data.length);
  const before = original.data;
  const after = edited.data;
  const weights = mask.data;
  for (let pixel = 0, offset = 0; pixel < weights.length; pixel += 1, offset += 4) {
    const weight = weights[pixel] ?? 0;
    if (weight === 0) {
      result[offset] = before[offset] ?? 0;
      result[offset + 1] = before[offset + 1] ?? 0;
      result[offset + 2] = before[offset + 2] ?? 0;
      result[offset + 3] = before[offset + 3] ?? 0;
    } else if (weight === 255) {
      result[offset] = after[offset] ?? 0;
      result[offset + 1] = after[offset + 1] ?? 0;
      result[offset + 2] = after[offset + 2] ?? 0;
      result[offset + 3] = after[offset + 3] ?? 0;
    } else {
      const keep = 255 - weight;
      for (let channel = 0; channel < 4; channel += 1) {
        const index = offset + channel;
        result[index] = Math.floor(((before[index] ?? 0) * keep + (after[index] ?? 0) * weight + 127) / 255);
      }
    }
  }
  return { data: result, width, height, channels: 4 };
}
