import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../blobs/blob-store.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import type { ImageRequest, ImageRequestDraft, ImageSource, StoredImage } from '../domain/image-request.ts';
import { parseAspectRatio, sizeForTier } from '../domain/size-rules.ts';
import { toInternalMask } from '../imaging/convert-mask.ts';
import { inspectImage } from '../imaging/inspect-image.ts';
import { parseDataUri, type SafeFetch } from '../net/safe-fetch.ts';

export type IngestLimits = { maxInputImages: number; maxInputBytes: number; maxInputPixels: number };

type LoadedImage = { data: Uint8Array; mediaType: string; width: number; height: number };

const extensionOf = (mediaType: string): string => (mediaType === 'image/jpeg' ? 'jpeg' : mediaType.replace('image/', ''));

/**
 * Turns a draft's URLs and bytes into validated, stored images. Everything is fetched, sniffed and checked
 * first; blobs are written only when the whole request is acceptable, so a rejected request stores nothing.
 */
export class ImageIngestor {
  constructor(
    private readonly options: {
      fetch: SafeFetch;
      blobs: BlobStore;
      limits: IngestLimits;
      /** Blob key behind a darkroom URL (uploads, earlier results), read from the store directly. */
      resolveOwnUrl?: (url: string) => string | undefined;
    },
  ) {}

  async ingest(draft: ImageRequestDraft, signal?: AbortSignal): Promise<{ request: ImageRequest; blobKeys: string[] }> {
    const { limits } = this.options;
    if (draft.inputImages.length > limits.maxInputImages) {
      const field = draft.inputImages[0]?.field.replace(/\.\d+$/, '') ?? 'images';
      throw GatewayError.invalid(field, `at most ${limits.maxInputImages} input images are allowed (got ${draft.inputImages.length})`);
    }
    const inputs = await Promise.all(draft.inputImages.map((source) => this.load(source, signal)));
    const first = inputs[0];
    let maskBytes: Uint8Array | undefined;
    if (draft.mask) {
      if (!first) throw GatewayError.invalid(draft.mask.field, 'a mask needs at least one input image to apply to');
      const loaded = await this.loadBytes(draft.mask, signal);
      maskBytes = await toInternalMask(loaded.data, {
        convention: draft.mask.convention,
        expectedSize: { width: first.width, height: first.height },
        field: draft.mask.field,
      });
    }

    const group = randomUUID();
    const blobKeys: string[] = [];
    const store = async (key: string, image: LoadedImage): Promise<StoredImage> => {
      const info = await this.options.blobs.put(key, image.data, { mediaType: image.mediaType });
      blobKeys.push(key);
      return { blobKey: key, mediaType: image.mediaType, width: image.width, height: image.height, byteLength: info.byteLength };
    };
    const inputImages = await Promise.all(
      inputs.map((image, index) => store(`inputs/${group}/${index}.${extensionOf(image.mediaType)}`, image)),
    );
    const mask =
      maskBytes && first
        ? await store(`inputs/${group}/mask.png`, { data: maskBytes, mediaType: 'image/png', width: first.width, height: first.height })
        : undefined;

    const { sizeTier, ...rest } = draft;
    let size = draft.size;
    if (!size && sizeTier) {
      const ratio = (draft.aspectRatio && parseAspectRatio(draft.aspectRatio)) || (first ? first.width / first.height : 1);
      size = sizeForTier(sizeTier, ratio);
    }
    return { request: { ...rest, size, inputImages, mask }, blobKeys };
  }

  private async loadBytes(source: ImageSource, signal?: AbortSignal): Promise<{ data: Uint8Array }> {
    const { limits, fetch } = this.options;
    if (source.type === 'bytes') {
      if (source.data.byteLength > limits.maxInputBytes) {
        throw new GatewayError('payload_too_large', `${source.field}: image is ${source.data.byteLength} bytes, above the limit of ${limits.maxInputBytes}`, { field: source.field });
      }
      return { data: source.data };
    }
    const url = source.url.trim();
    if (url.startsWith('data:')) return parseDataUri(url, source.field, limits.maxInputBytes);
    const ownKey = this.options.resolveOwnUrl?.(url);
    if (ownKey) {
      const blob = await this.options.blobs.get(ownKey);
      if (!blob) throw GatewayError.invalid(source.field, 'the darkroom file this URL points to no longer exists');
      return { data: blob.data };
    }
    if (!/^https?:\/\//i.test(url)) {
      throw GatewayError.invalid(source.field, 'must be an http(s) URL or a data URI');
    }
    return fetch.fetchBytes(url, { field: source.field, maxBytes: limits.maxInputBytes, ...(signal ? { signal } : {}) });
  }

  private async load(source: ImageSource, signal?: AbortSignal): Promise<LoadedImage> {
    const { data } = await this.loadBytes(source, signal);
    const info = await inspectImage(data, {
      field: source.field,
      maxPixels: this.options.limits.maxInputPixels,
      maxBytes: this.options.limits.maxInputBytes,
    });
    return { data, mediaType: info.mediaType, width: info.width, height: info.height };
  }
}
