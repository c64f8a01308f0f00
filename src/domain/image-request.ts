import type { JsonValue } from './json-value.ts';
import type { ResolutionTier } from './size-rules.ts';

export type OutputFormat = 'png' | 'jpeg' | 'webp';
export const outputFormats: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];
export type Quality = 'auto' | 'low' | 'medium' | 'high';
export const qualities: readonly Quality[] = ['auto', 'low', 'medium', 'high'];
export type Background = 'auto' | 'transparent' | 'opaque';
export type ImageSize = { width: number; height: number };

/** An input image after it has been fetched, sniffed and validated: bytes live in the blob store. */
export type StoredImage = { blobKey: string; mediaType: string; width: number; height: number; byteLength: number };

/**
 * The one internal request every dialect translates into. Keys are required and typed `T | undefined`
 * so each translator must decide every field.
 */
export type ImageRequest = {
  /** Gateway model id (`gpt-image-2`, `gpt-image-2-edit`, `darkroom-local`…). */
  model: string;
  prompt: string;
  imageCount: number;
  /** Explicit output size, or undefined for `auto` (the engine decides; edits keep the first input's size). */
  size: ImageSize | undefined;
  /** Requested aspect ratio when the client gave one without a size, e.g. `16:9`. */
  aspectRatio: string | undefined;
  quality: Quality;
  outputFormat: OutputFormat;
  /** 0–100 for jpeg/webp; undefined = engine default. */
  outputCompression: number | undefined;
  background: Background;
  seed: number | undefined;
  /** Input images, empty for text-to-image; validated and stored before the job exists. */
  inputImages: StoredImage[];
  /** Internal mask convention: white (255) = edit, black (0) = preserve; same size as the first input. */
  mask: StoredImage | undefined;
  /** Number of progressive partial images a streaming client asked for (0–3). */
  partialImages: number;
  /** Dialect-specific extras an engine may understand: `{ openai: { moderation: 'low' } }`. */
  engineOptions: Record<string, Record<string, JsonValue>>;
};

/** What a client sent before its images were fetched: URLs or bytes. */
export type ImageSource =
  | { type: 'url'; url: string; field: string }
  | { type: 'bytes'; data: Uint8Array; field: string };

/** An ImageRequest whose images have not been resolved yet. */
export type ImageRequestDraft = Omit<ImageRequest, 'inputImages' | 'mask'> & {
  inputImages: ImageSource[];
  mask: (ImageSource & { convention: MaskConvention }) | undefined;
  /**
   * A `1K|2K|4K` tier whose size depends on the aspect ratio, which may come from the first input image
   * (`aspect_ratio: auto`); resolved once the inputs are known. Ignored when `size` is set.
   */
  sizeTier: ResolutionTier | undefined;
};

/** `white-edits`: Oxen/fal (white = edit). `alpha-edits`: OpenAI (alpha 0 = edit). */
export type MaskConvention = 'white-edits' | 'alpha-edits';
