import type { ImageSize } from './image-request.ts';

/** What sizes an engine can produce. Requests are fitted to these with {@link fitSizeToLimits}. */
export type SizeLimits = {
  /** Both edges are rounded to a multiple of this (16 for gpt-image-2, 1 for the local engine). */
  edgeMultiple: number;
  minEdge: number;
  maxEdge: number;
  /** Longest edge divided by shortest edge may not exceed this. */
  maxAspectRatio: number;
  minPixels: number;
  maxPixels: number;
};

/** gpt-image-2 as OpenAI and fal document it: edges ÷ 16, aspect ≤ 3:1, max edge 3840, 655,360–8,294,400 px. */
export const gptImage2SizeLimits: SizeLimits = {
  edgeMultiple: 16,
  minEdge: 16,
  maxEdge: 3840,
  maxAspectRatio: 3,
  minPixels: 655_360,
  maxPixels: 8_294_400,
};

const roundTo = (value: number, multiple: number) => Math.max(multiple, Math.round(value / multiple) * multiple);

/**
 * Fits a requested size into an engine's limits, keeping the aspect ratio as close as the limits allow:
 * 1. clamp the aspect ratio to `maxAspectRatio` (the short edge grows);
 * 2. scale uniformly so the pixel count lies in [minPixels, maxPixels] and the long edge ≤ maxEdge;
 * 3. round each edge to `edgeMultiple`, then step down (or up) by one multiple while a bound is still broken.
 */
export function fitSizeToLimits(requested: ImageSize, limits: SizeLimits): ImageSize {
  let width = Math.max(1, requested.width);
  let height = Math.max(1, requested.height);
  if (width / height > limits.maxAspectRatio) height = width / limits.maxAspectRatio;
  if (height / width > limits.maxAspectRatio) width = height / limits.maxAspectRatio;

  let scale = 1;
  const pixels = width * height;
  if (pixels > limits.maxPixels) scale = Math.sqrt(limits.maxPixels / pixels);
  if (pixels < limits.minPixels) scale = Math.sqrt(limits.minPixels / pixels);
  const longEdge = Math.max(width, height) * scale;
  if (longEdge > limits.maxEdge) scale *= limits.maxEdge / longEdge;
  const shortEdge = Math.min(width, height) * scale;
  if (shortEdge < limits.minEdge) scale *= limits.minEdge / shortEdge;
  width = roundTo(width * scale, limits.edgeMultiple);
  height = roundTo(height * scale, limits.edgeMultiple);

  const step = limits.edgeMultiple;
  for (let guard = 0; guard < 64; guard += 1) {
    const area = width * height;
    if (area > limits.maxPixels || Math.max(width, height) > limits.maxEdge) {
      if (width >= height) width -= step;
      else height -= step;
    } else if (area < limits.minPixels) {
      if (width <= height) width += step;
      else height += step;
    } else break;
  }
  return { width, height };
}

export function sizeFitsLimits(size: ImageSize, limits: SizeLimits): boolean {
  const { width, height } = size;
  return (
    width % limits.edgeMultiple === 0 &&
    height % limits.edgeMultiple === 0 &&
    Math.min(width, height) >= limits.minEdge &&
    Math.max(width, height) <= limits.maxEdge &&
    Math.max(width, height) / Math.min(width, height) <= limits.maxAspectRatio &&
    width * height >= limits.minPixels &&
    width * height <= limits.maxPixels
  );
}

/** `1024x768` (also `1024*768`, as WaveSpeed writes it) → size; undefined when it is not that form. */
export function parseSizeString(value: string): ImageSize | undefined {
  const match = /^(\d{1,5})\s*[x*×]\s*(\d{1,5})$/i.exec(value.trim());
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 1 || height < 1) return undefined;
  return { width, height };
}

export const formatSize = (size: ImageSize): string => `${size.width}x${size.height}`;

/** `16:9` → 16/9; undefined when not a ratio of positive numbers. */
export function parseAspectRatio(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return undefined;
  const ratio = Number(match[1]) / Number(match[2]);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : undefined;
}

/** Pixel budgets of the `1K|2K|4K` resolution tiers (Oxen, WaveSpeed): about 1 MP, 4 MP and 8.3 MP (3840×2160). */
export const resolutionTierPixels = { '1K': 1024 * 1024, '2K': 2048 * 2048, '4K': 3840 * 2160 } as const;
export type ResolutionTier = keyof typeof resolutionTierPixels;

/** A size with the tier's pixel budget and the given aspect ratio, edges rounded to multiples of 16. */
export function sizeForTier(tier: ResolutionTier, aspectRatio: number): ImageSize {
  const pixels = resolutionTierPixels[tier];
  const width = Math.sqrt(pixels * aspectRatio);
  const height = width / aspectRatio;
  const size = { width: roundTo(width, 16), height: roundTo(height, 16) };
  // Rounding up may push the 4K tier over the gpt-image-2 pixel cap; fit keeps it valid.
  return fitSizeToLimits(size, { ...gptImage2SizeLimits, minPixels: 1, maxPixels: pixels < gptImage2SizeLimits.maxPixels ? pixels * 1.02 : gptImage2SizeLimits.maxPixels });
}

/** The closest of the given `W:H` ratios to a width/height pair (WaveSpeed auto-detects from the input). */
export function closestAspectRatio(size: ImageSize, candidates: readonly string[]): string {
  const actual = Math.log(size.width / size.height);
  let best = candidates[0] ?? '1:1';
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const ratio = parseAspectRatio(candidate);
    if (ratio === undefined) continue;
    const distance = Math.abs(Math.log(ratio) - actual);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The ten aspect ratios WaveSpeed's gpt-image-2 endpoints accept (seed 004); shared by its dialect and engine. */
export const waveSpeedAspectRatios = ['1:1', '3:2', '2:3', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
export type WaveSpeedAspectRatio = (typeof waveSpeedAspectRatios)[number];
