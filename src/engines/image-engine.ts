import type { ImageRequest, ImageSize } from '../domain/image-request.ts';
import type { EngineWarning, ImageUsage } from '../domain/job.ts';
import type { SizeLimits } from '../domain/size-rules.ts';

/** Image bytes as engines see them: already sniffed, validated and size-capped. */
export type EngineImage = { data: Uint8Array; mediaType: string; width: number; height: number };

export type EngineCapabilities = {
  generate: boolean;
  edit: boolean;
  mask: boolean;
  maxInputImages: number;
  /** Whether the engine can emit progressive partial images while it works. */
  partialImages: boolean;
  transparentBackground: boolean;
};

export type EngineRequest = {
  jobId: string;
  request: ImageRequest;
  /** The output size after fitting to the engine's limits; undefined = engine decides (`auto`). */
  size: ImageSize | undefined;
  inputImages: EngineImage[];
  /** Internal convention: single-channel-meaningful image, white (255) = edit, black (0) = keep. */
  mask: EngineImage | undefined;
  /**
   * Per-request secrets (BYOK), e.g. `openaiApiKey`. Held in memory only (jobs/job-credentials.ts), never in
   * the job store; empty after a restart. Engines must never log or store them.
   */
  credentials: Record<string, string>;
};

export type EngineProgress = { message: string; fraction: number | undefined };

export type EngineCallContext = {
  signal: AbortSignal;
  reportProgress(progress: EngineProgress): void;
  /** A progressive render; `index` counts from 0 and stays below the request's `partialImages`. */
  reportPartialImage(image: EngineImage & { index: number }): Promise<void>;
};

export type EngineResult = {
  images: EngineImage[];
  warnings: EngineWarning[];
  usage: ImageUsage | undefined;
};

/** One upstream (or the local engine). Engines get their settings through their constructor, never from the environment. */
export interface ImageEngine {
  readonly engineId: string;
  /** Human-readable, shown in the catalog and start-up log. */
  readonly description: string;
  readonly capabilities: EngineCapabilities;
  /** undefined = the engine takes any size and keeps an input's own size for `auto`. */
  readonly sizeLimits: SizeLimits;
  run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult>;
}
