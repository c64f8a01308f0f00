import { GatewayError } from '../src/domain/gateway-error.ts';
import type { EngineCallContext, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../src/engines/image-engine.ts';

/**
 * A bench-only engine that holds each job for a fixed time and answers with one small image, so the
 * admission, overload and long-lived-load figures measure darkroom rather than an engine (and work before
 * an upstream engine is configured). Registered by bench/darkroom-bench-server.ts, never by darkroom itself.
 */
export class SleepingImageEngine implements ImageEngine {
  readonly engineId = 'bench-sleep';
  readonly description = 'benchmark engine: sleeps, then returns a small PNG';
  readonly capabilities = { generate: true, edit: true, mask: true, maxInputImages: 16, partialImages: false, transparentBackground: true };
  readonly sizeLimits = { edgeMultiple: 16, minEdge: 16, maxEdge: 3840, maxAspectRatio: 3, minPixels: 256, maxPixels: 8_294_400 };

  /** `jitterMs` adds a random 0–jitterMs to each sleep, so long jobs finish spread out as real ones do. */
  constructor(
    private readonly sleepMs: number,
    private readonly image: EngineImage,
    private readonly jitterMs = 0,
  ) {}

  async run(_request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const { signal } = context;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.sleepMs + Math.random() * this.jitterMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason instanceof Error ? signal.reason : new GatewayError('cancelled', 'cancelled'));
        },
        { once: true },
      );
    });
    return { images: [this.image], warnings: [], usage: undefined };
  }
}
