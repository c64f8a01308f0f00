import sharp from 'sharp';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { EngineCallContext, EngineRequest, EngineResult, ImageEngine } from '../../src/engines/image-engine.ts';

export type FakeEngineBehaviour = {
  delayMs?: number;
  /** Fail every call with this error. */
  failWith?: GatewayError;
  /** Fail the first N calls with a retryable upstream error. */
  failFirst?: number;
};

/** A test engine: solid-colour images after an optional delay, honouring cancellation; records every call. */
export class FakeImageEngine implements ImageEngine {
  readonly description = 'fake engine for tests';
  readonly capabilities = { generate: true, edit: true, mask: true, maxInputImages: 16, partialImages: true, transparentBackground: true };
  readonly sizeLimits = { edgeMultiple: 16, minEdge: 16, maxEdge: 3840, maxAspectRatio: 3, minPixels: 256, maxPixels: 8_294_400 };
  readonly calls: EngineRequest[] = [];
  behaviour: FakeEngineBehaviour;

  constructor(readonly engineId = 'fake', behaviour: FakeEngineBehaviour = {}) {
    this.behaviour = behaviour;
  }

  async run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    this.calls.push(request);
    const { delayMs = 0, failWith, failFirst = 0 } = this.behaviour;
    if (delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs);
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(context.signal.reason instanceof Error ? context.signal.reason : new GatewayError('cancelled', 'aborted'));
        }, { once: true });
      });
    }
    if (failWith) throw failWith;
    if (this.calls.length <= failFirst) throw new GatewayError('upstream_error', 'upstream answered 500');
    const size = request.size ?? (request.inputImages[0] ? { width: request.inputImages[0].width, height: request.inputImages[0].height } : { width: 64, height: 48 });
    const images = [];
    for (let index = 0; index < request.request.imageCount; index += 1) {
      const data = await sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: 40 * index, g: 120, b: 200 } } })
        .toFormat(request.request.outputFormat)
        .toBuffer();
      images.push({ data: new Uint8Array(data), mediaType: `image/${request.request.outputFormat}`, width: size.width, height: size.height });
    }
    return { images, warnings: [], usage: undefined };
  }
}
