import sharp from 'sharp';
import type { EngineImage } from '../image-engine.ts';

/**
 * darkroom's internal mask (grey, white = edit) → OpenAI's (RGBA PNG, alpha 0 = edit): alpha = 255 − grey,
 * so pure white becomes fully transparent, black stays opaque and grey values keep their blend.
 */
export async function toOpenAiMask(mask: EngineImage): Promise<Uint8Array> {
  const { data: grey, info } = await sharp(mask.data).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(info.width * info.height * 4);
  for (let pixel = 0; pixel < info.width * info.height; pixel += 1) {
    rgba[pixel * 4 + 3] = 255 - (grey[pixel] ?? 0);
  }
  const png = await sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } }).png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(png);
}
