import sharp from 'sharp';
import { GatewayError } from '../domain/gateway-error.ts';
import { readPngStructure, type PngStructure } from './read-png-structure.ts';
import { describeUnsupportedImage, sniffImageType, type SupportedImageType } from './sniff-image-type.ts';

export type InspectImageOptions = {
  /** Request field the bytes came from (`image`, `image[1]`, `mask`); every error message starts with it. */
  field: string;
  maxPixels: number;
  maxBytes: number;
};

export type ImageInspection = {
  mediaType: SupportedImageType;
  /** Display size: EXIF orientation applied, as the engines see the image after decoding. */
  width: number;
  height: number;
  hasAlpha: boolean;
};

const formatName = (mediaType: SupportedImageType): string => mediaType.slice('image/'.length);

export type ImageHeader = { width: number; height: number; hasAlpha: boolean };

/**
 * Displayed size (EXIF orientation applied) and alpha from the header alone. A PNG's come from its chunk
 * walk (`png`, already done by the caller), with no trip to sharp's thread pool; other formats, and PNGs
 * whose eXIf may rotate them, from sharp's metadata (which throws on an unreadable header).
 */
export async function readImageHeader(bytes: Uint8Array, png: PngStructure | undefined, pixelLimit: number | false): Promise<ImageHeader> {
  if (png?.header && !png.hasExif) return png.header;
  const metadata = await sharp(bytes, { limitInputPixels: pixelLimit, failOn: 'warning' }).metadata();
  return { width: metadata.autoOrient.width, height: metadata.autoOrient.height, hasAlpha: metadata.hasAlpha };
}

/**
 * Validates untrusted image bytes in order of cost: magic bytes, byte length, header dimensions and only
 * then the body (PNG by its chunk checksums, JPEG and WebP by a decode). Decompression bombs (a small PNG declaring 100+ MP) are refused from the header
 * alone, so they never allocate pixel memory.
 */
export async function inspectImage(bytes: Uint8Array, options: InspectImageOptions): Promise<ImageInspection> {
  const { field, maxPixels, maxBytes } = options;
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) {
    const actual = describeUnsupportedImage(bytes);
    const what = actual === undefined ? 'not a recognised image' : `a ${actual} image`;
    throw new GatewayError('unsupported_media_type', `${field}: the file is ${what}; only png, jpeg and webp are accepted`, { field });
  }
  if (bytes.byteLength > maxBytes) {
    throw new GatewayError('payload_too_large', `${field}: image is ${bytes.byteLength} bytes, above the limit of ${maxBytes} bytes`, { field });
  }

  const undecodable = (cause: unknown) =>
    new GatewayError('invalid_request', `${field}: could not be decoded as ${formatName(mediaType)}; the file may be truncated or corrupt`, { field, cause });

  const png = mediaType === 'image/png' ? readPngStructure(bytes) : undefined;
  // No pixel limit while reading the header, so the size can be reported instead of sharp's generic limit error.
  const { width, height, hasAlpha } = await readImageHeader(bytes, png, false).catch((error: unknown) => {
    throw undecodable(error);
  });
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new GatewayError('invalid_request', `${field}: image is ${width}x${height} = ${pixels} pixels, above the limit of ${maxPixels}`, { field });
  }

  // A truncated body keeps a valid header. PNG's chunks carry lengths and checksums, so walking them found
  // truncation and corruption without inflating the pixels; other formats are decoded once (to a tiny
  // thumbnail, to keep memory flat; JPEG shrinks on load).
  if (png) {
    if (png.problem) throw undecodable(new Error(png.problem));
    return { mediaType, width, height, hasAlpha };
  }
  try {
    await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' }).resize(8, 8, { fit: 'fill' }).raw().toBuffer();
  } catch (error) {
    throw undecodable(error);
  }
  return { mediaType, width, height, hasAlpha };
}
