import sharp, { type Sharp } from 'sharp';

/**
 * The local engine's working format: 8-bit RGBA, interleaved. Every step takes and returns one, so steps
 * run in exactly the order the prompt gives (a single sharp pipeline reorders operations internally),
 * and masks and chroma keys can work on the bytes directly.
 */
export type RgbaImage = { data: Buffer; width: number; height: number; channels: 4 };

export type Rgb = { red: number; green: number; blue: number };

export const rgbToHex = ({ red, green, blue }: Rgb): string =>
  `#${[red, green, blue].map((value) => Math.round(value).toString(16).padStart(2, '0')).join('')}`;

export function rgbaPipeline(image: RgbaImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } });
}

/** Runs a pipeline to RGBA bytes, whatever bands it ends with (sharp greyscale gives 1, jpeg input 3). */
export async function pipelineToRgba(pipeline: Sharp): Promise<RgbaImage> {
  const { data, info } = await pipeline.toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height, channels: 4 };
}

export async function decodeToRgba(bytes: Uint8Array): Promise<RgbaImage> {
  return pipelineToRgba(sharp(bytes, { autoOrient: true, failOn: 'warning' }));
}

/** One ordered step: `(pipeline) => pipeline.blur(2)` applied to the image alone. */
export async function transformRgba(image: RgbaImage, step: (pipeline: Sharp) => Sharp): Promise<RgbaImage> {
  return pipelineToRgba(step(rgbaPipeline(image)));
}

export function solidRgba(width: number, height: number, colour: Rgb, alpha = 255): RgbaImage {
  const data = Buffer.alloc(width * height * 4);
  for (let index = 0; index < data.length; index += 4) {
    data[index] = colour.red;
    data[index + 1] = colour.green;
    data[index + 2] = colour.blue;
    data[index + 3] = alpha;
  }
  return { data, width, height, channels: 4 };
}

/** True when some pixel is not fully opaque. */
export function hasTransparency(image: RgbaImage): boolean {
  const { data } = image;
  for (let index = 3; index < data.length; index += 4) if (data[index] !== 255) return true;
  return false;
}
