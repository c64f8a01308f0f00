import type { SizeLimits } from '../../domain/size-rules.ts';

/** The local engine renders any size in pixels (no multiple-of-16 rule) up to 16 MP and 4096 px. */
export const localSizeLimits: SizeLimits = { edgeMultiple: 1, minEdge: 16, maxEdge: 4096, maxAspectRatio: 8, minPixels: 256, maxPixels: 16_777_216 };
