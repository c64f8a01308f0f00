import sharp from 'sharp';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { EngineCallContext, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../../src/engines/image-engine.ts';

const pause = (milliseconds: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new GatewayError('cancelled', 'aborted'));
    }, { once: true });
  });

async function grey(level: number, width: number, height: number): Promise<EngineImage> {
  const data = await sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } }).png().toBuffer();
  return { data: new Uint8Array(data), mediaType: 'image/png', width, height };
}

/** A test engine that streams `partials` progressive images, `stepMs` apart, before its result (like gpt-image's partial_images). */
export class PartialImagesEngine implements ImageEngine {
  readonly description = 'streams partial images (tests)';
  readonly capabilities = { generate: true, edit: true, mask: true, maxInputImages: 16, partialImages: true, transparentBackground: false };
  readonly sizeLimits = { edgeMultiple: 1, minEdge: 16, maxEdge: 4096, maxAspectRatio: 8, minPixels: 256, maxPixels: 16_777_216 };

  constructor(
    readonly engineId: string,
    private readonly options: { partials: number; stepMs: number },
  ) {}

  async run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const width = request.size?.width ?? 96;
    const height = request.size?.height ?? 64;
    for (let index = 0; index < this.options.partials; index += 1) {
      await pause(this.options.stepMs, context.signal);
      await context.reportPartialImage({ ...(await grey(60 + 60 * index, width, height)), index });
    }
    await pause(this.options.stepMs, context.signal);
    return { images: [await grey(230, width, height)], warnings: [], usage: undefined };
  }
}
