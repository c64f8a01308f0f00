import { GatewayError } from '../../domain/gateway-error.ts';
import type { EngineWarning } from '../../domain/job.ts';
import { gptImage2SizeLimits } from '../../domain/size-rules.ts';
import { parseDataUri, type SafeFetch } from '../../net/safe-fetch.ts';
import type { EngineCallContext, EngineCapabilities, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../image-engine.ts';
import { toWaveSpeedTask } from './to-wavespeed-input.ts';
import { abortReason, sleep } from '../shared/call-upstream.ts';
import { WaveSpeedApiClient } from './wavespeed-api-client.ts';
import { failedTaskError } from './wavespeed-upstream-error.ts';
import { toRequestedImage } from '../shared/to-requested-image.ts';

export type WaveSpeedEngineSettings = {
  apiKey: string;
  /** Default https://api.wavespeed.ai. */
  baseUrl?: string;
  /** Downloads outputs: their URLs come from the upstream, so they pass the SSRF guard. */
  fetch: SafeFetch;
  /** Between result polls; default 1 s (the SDK's own default). */
  pollIntervalMs?: number;
  /** Per task, from submit to downloaded output; default 10 min. */
  timeoutMs?: number;
  /** Retries of one API call on 429/5xx; default 3. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** Largest output accepted, in bytes and pixels. */
  maxOutputBytes?: number;
  maxOutputPixels?: number;
};

const terminalFailures = new Set(['failed', 'cancelled', 'timeout', 'deleted']);
/** A task has no images in a batch: one WaveSpeed task per requested image, run side by side up to this many. */
const maxImagesPerRequest = 10;

/** Runs gpt-image-2 on WaveSpeed API v3: submit the task, poll `/result`, download the outputs. */
export class WaveSpeedImageEngine implements ImageEngine {
  readonly engineId = 'wavespeed';
  readonly description = 'GPT Image 2 on WaveSpeed AI (api.wavespeed.ai v3): text-to-image and multi-image edits, sized by aspect ratio and 1k/2k/4k';
  readonly capabilities: EngineCapabilities = {
    generate: true,
    edit: true,
    // WaveSpeed's gpt-image-2 edit takes no mask; JobService refuses masked requests up front.
    mask: false,
    maxInputImages: 16,
    partialImages: false,
    transparentBackground: false,
  };
  readonly sizeLimits = gptImage2SizeLimits;
  private readonly api: WaveSpeedApiClient;
  private readonly baseUrl: string;

  constructor(private readonly settings: WaveSpeedEngineSettings) {
    this.baseUrl = (settings.baseUrl ?? 'https://api.wavespeed.ai').replace(/\/+$/, '');
    this.api = new WaveSpeedApiClient({
      apiKey: settings.apiKey,
      baseUrl: this.baseUrl,
      maxRetries: settings.maxRetries ?? 3,
      retryBaseDelayMs: settings.retryBaseDelayMs ?? 500,
    });
  }

  async run(engineRequest: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const timeoutMs = this.settings.timeoutMs ?? 600_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    // The first failed image stops its siblings' polling too.
    const batch = new AbortController();
    const signal = AbortSignal.any([context.signal, deadline, batch.signal]);
    const task = toWaveSpeedTask(engineRequest);
    const count = Math.min(maxImagesPerRequest, Math.max(1, engineRequest.request.imageCount));
    const warnings: EngineWarning[] = [...task.warnings];
    if (engineRequest.request.imageCount > maxImagesPerRequest) {
      warnings.push({ feature: 'n', message: `The WaveSpeed engine makes at most ${maxImagesPerRequest} images per request; ${engineRequest.request.imageCount} were asked for` });
    }
    try {
      const images = await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const taskId = await this.api.submit(task, signal);
          context.reportProgress({ message: `WaveSpeed task ${taskId} submitted (image ${index + 1} of ${count})`, fraction: 0.05 });
          const outputUrl = await this.waitForOutput(taskId, signal, context);
          return this.download(outputUrl, engineRequest, signal);
        }),
      );
      return { images, warnings, usage: undefined };
    } catch (error) {
      batch.abort(error);
      if (deadline.aborted && !context.signal.aborted) {
        throw new GatewayError('timeout', `WaveSpeed did not finish within ${Math.round(timeoutMs / 1000)} s`, { cause: error });
      }
      throw error;
    }
  }

  private async waitForOutput(taskId: string, signal: AbortSignal, context: EngineCallContext): Promise<string> {
    for (;;) {
      const prediction = await this.api.result(taskId, signal);
      if (prediction.status === 'completed') {
        const [output] = prediction.outputs;
        if (output === undefined) throw new GatewayError('upstream_error', `WaveSpeed task ${taskId} completed without an output`);
        return output;
      }
      if (terminalFailures.has(prediction.status)) throw failedTaskError(taskId, prediction.error || `task ${prediction.status}`);
      context.reportProgress({ message: `WaveSpeed task ${taskId} is ${prediction.status}`, fraction: undefined });
      await sleep(this.settings.pollIntervalMs ?? 1000, signal);
    }
  }

  /** Fetches one output (a URL, or base64 should the upstream send it inline) and returns it in the requested format. */
  private async download(output: string, engineRequest: EngineRequest, signal: AbortSignal): Promise<EngineImage> {
    const field = 'wavespeed output';
    const maxBytes = this.settings.maxOutputBytes ?? 50 * 1024 * 1024;
    let data: Uint8Array;
    try {
      if (output.startsWith('data:')) data = parseDataUri(output, field, maxBytes).data;
      else if (/^https?:\/\//i.test(output)) data = (await this.settings.fetch.fetchBytes(output, { field, maxBytes, signal })).data;
      else data = new Uint8Array(Buffer.from(output, 'base64'));
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw new GatewayError('upstream_error', `Downloading WaveSpeed's output failed: ${(error as Error).message}`, { cause: error });
    }
    return toRequestedImage(data, {
      upstreamName: 'WaveSpeed',
      field,
      maxBytes,
      maxPixels: this.settings.maxOutputPixels ?? 50_000_000,
      request: engineRequest.request,
    });
  }
}
