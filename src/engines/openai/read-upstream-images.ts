import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageUsage } from '../../domain/job.ts';
import { readImageHeader } from '../../imaging/inspect-image.ts';
import { readPngStructure } from '../../imaging/read-png-structure.ts';
import { sniffImageType } from '../../imaging/sniff-image-type.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { EngineImage } from '../image-engine.ts';

/** One `data[]` entry or streamed image as the upstream sent it (`decoded`: its base64 already decoded). */
export type UpstreamImage = { b64_json?: string | null; url?: string | null; decoded?: Uint8Array };

/** The usage object OpenAI returns (`ImagesResponse.usage`, `*.completed` events); compatible servers may omit parts. */
export type UpstreamUsage = {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { text_tokens?: number; image_tokens?: number };
  output_tokens_details?: { text_tokens?: number; image_tokens?: number };
};

/** sharp's own default `limitInputPixels` (0x3FFF × 0x3FFF). */
const sharpDefaultPixelLimit = 0x3fff * 0x3fff;

/** Bytes the upstream produced → an EngineImage, after checking they are a png/jpeg/webp we can read. */
export async function decodeUpstreamImage(data: Uint8Array, what: string, upstreamName: string): Promise<EngineImage> {
  const mediaType = sniffImageType(data);
  if (mediaType === undefined) throw new GatewayError('upstream_error', `${upstreamName} returned ${what} that is not a png, jpeg or webp image`);
  const png = mediaType === 'image/png' ? readPngStructure(data) : undefined;
  if (png?.problem) throw new GatewayError('upstream_error', `${upstreamName} returned ${what} that cannot be decoded: ${png.problem}`);
  try {
    // sharp's default pixel limit, as before: an upstream's output is not size-checked elsewhere.
    const { width, height } = await readImageHeader(data, png, sharpDefaultPixelLimit);
    return { data, mediaType, width, height };
  } catch (error) {
    throw new GatewayError('upstream_error', `${upstreamName} returned ${what} that cannot be decoded`, { cause: error });
  }
}

/**
 * Resolves an image entry: base64 is decoded, a URL is fetched only through the SSRF-safe fetch (an upstream
 * must not make darkroom reach into its own network).
 */
export async function readUpstreamImage(
  image: UpstreamImage,
  options: { index: number; upstreamName: string; safeFetch: SafeFetch; signal: AbortSignal },
): Promise<EngineImage> {
  const what = `image ${options.index}`;
  if (image.decoded && image.decoded.byteLength > 0) return decodeUpstreamImage(image.decoded, what, options.upstreamName);
  if (typeof image.b64_json === 'string' && image.b64_json.length > 0) {
    return decodeUpstreamImage(new Uint8Array(Buffer.from(image.b64_json, 'base64')), what, options.upstreamName);
  }
  if (typeof image.url === 'string' && image.url.length > 0) {
    let data: Uint8Array;
    try {
      ({ data } = await options.safeFetch.fetchBytes(image.url, { field: `${what} url`, signal: options.signal }));
    } catch (error) {
      // The client's request was fine; the upstream's answer was not fetchable (blocked address, 404, too big…).
      if (error instanceof GatewayError && error.code === 'cancelled') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatewayError('upstream_error', `${options.upstreamName} returned a result URL darkroom could not fetch: ${reason}`, { cause: error });
    }
    return decodeUpstreamImage(data, what, options.upstreamName);
  }
  throw new GatewayError('upstream_error', `${options.upstreamName} returned ${what} with neither b64_json nor url`);
}

const count = (value: number | undefined): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Upstream usage → ImageUsage; missing parts count as 0. Streams report one usage per image, so they are summed. */
export function toImageUsage(usages: Array<UpstreamUsage | null | undefined>): ImageUsage | undefined {
  const present = usages.filter((usage): usage is UpstreamUsage => typeof usage === 'object' && usage !== null);
  if (present.length === 0) return undefined;
  const total: ImageUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, inputTextTokens: 0, inputImageTokens: 0, outputTextTokens: 0, outputImageTokens: 0 };
  for (const usage of present) {
    total.inputTokens += count(usage.input_tokens);
    total.outputTokens += count(usage.output_tokens);
    total.totalTokens += count(usage.total_tokens);
    total.inputTextTokens += count(usage.input_tokens_details?.text_tokens);
    total.inputImageTokens += count(usage.input_tokens_details?.image_tokens);
    total.outputTextTokens += count(usage.output_tokens_details?.text_tokens);
    total.outputImageTokens += count(usage.output_tokens_details?.image_tokens);
  }
  return total;
}
