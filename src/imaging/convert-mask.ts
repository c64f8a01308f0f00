import sharp from 'sharp';
import { GatewayError } from '../domain/gateway-error.ts';
import type { ImageSize, MaskConvention } from '../domain/image-request.ts';
import { sniffImageType } from './sniff-image-type.ts';

export type ToInternalMaskOptions = {
  convention: MaskConvention;
  /** Size of the first input image; a mask only makes sense pixel-for-pixel against it. */
  expectedSize: ImageSize;
  field: string;
};

/**
 * Converts a client mask into darkroom's internal convention: a 1-channel grayscale PNG where
 * white (255) = edit and black (0) = keep; grey values blend.
 * - `white-edits` (fal, Oxen): luminance of the mask flattened onto black, so transparent areas keep.
 * - `alpha-edits` (OpenAI): 255 − alpha, so fully transparent pixels are edited and opaque ones kept.
 */
export async function toInternalMask(bytes: Uint8Array, options: ToInternalMaskOptions): Promise<Uint8Array> {
  const { convention, expectedSize, field } = options;
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) {
    throw new GatewayError('unsupported_media_type', `${field}: the mask is not a png, jpeg or webp image`, { field });
  }
  let hasAlpha: boolean;
  let width: number;
  let height: number;
  try {
    const metadata = await sharp(bytes, { failOn: 'warning' }).metadata();
    ({ hasAlpha } = metadata);
    ({ width, height } = metadata.autoOrient);
  } catch (error) {
    throw new GatewayError('invalid_request', `${field}: the mask could not be decoded as ${mediaType.slice(6)}`, { field, cause: error });
  }
  if (width !== expectedSize.width || height !== expectedSize.height) {
    throw new GatewayError(
      'invalid_request',
      `${field}: mask is ${width}x${height} but the first input image is ${expectedSize.width}x${expectedSize.height}; they must match`,
      { field },
    );
  }
  if (convention === 'alpha-edits' && !hasAlpha) {
    throw new GatewayError(
      'invalid_request',
      `${field}: OpenAI-style masks need an alpha channel (transparent pixels mark the area to edit), but this ${mediaType.slice(6)} mask has none`,
      { field },
    );
  }

  try {
    const decoded = sharp(bytes, { failOn: 'warning', autoOrient: true });
    const converted =
      convention === 'white-edits'
        ? decoded.flatten({ background: '#000000' }).toColourspace('b-w')
        : decoded.ensureAlpha().extractChannel('alpha').negate().toColourspace('b-w');
    return await converted.png({ compressionLevel: 6 }).toBuffer();
  } catch (error) {
    throw new GatewayError('invalid_request', `${field}: the mask could not be decoded as ${mediaType.slice(6)}`, { field, cause: error });
  }
}
