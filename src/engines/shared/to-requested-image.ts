import sharp from 'sharp';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageRequest } from '../../domain/image-request.ts';
import { encodeImage } from '../../imaging/encode-image.ts';
import { inspectImage } from '../../imaging/inspect-image.ts';
import type { EngineImage } from '../image-engine.ts';

/**
 * An upstream's output bytes as the image the client asked for: checked like any untrusted image (sniffed,
 * size- and pixel-capped), and re-encoded only when the upstream chose another format.
 */
export async function toRequestedImage(
  data: Uint8Array,
  options: { upstreamName: string; field: string; maxBytes: number; maxPixels: number; request: ImageRequest },
): Promise<EngineImage> {
  const inspection = await inspectImage(data, { field: options.field, maxBytes: options.maxBytes, maxPixels: options.maxPixels }).catch((error: unknown) => {
    throw new GatewayError('upstream_error', `${options.upstreamName} returned an output that is not a usable image: ${(error as Error).message}`, { cause: error });
  });
  const { outputFormat, quality, outputCompression } = options.request;
  if (inspection.mediaType === `image/${outputFormat}`) {
    return { data, mediaType: inspection.mediaType, width: inspection.width, height: inspection.height };
  }
  return encodeImage(sharp(data).rotate(), outputFormat, quality, outputCompression);
}
