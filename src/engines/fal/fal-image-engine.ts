import { GatewayError } from '../../domain/gateway-error.ts';
import { gptImage2SizeLimits } from '../../domain/size-rules.ts';
import { parseDataUri, type SafeFetch } from '../../net/safe-fetch.ts';
import type { EngineCallContext, EngineCapabilities, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../image-engine.ts';
import { abortReason, sleep } from '../shared/call-upstream.ts';
import { FalQueueClient } from './fal-queue-client.ts';
import { defaultFalEngineApps, toFalTask, type FalEngineApps } from './to-fal-input.ts';
import { toRequestedImage } from '../shared/to-requested-image.ts';

export type FalEngineSettings = {
  apiKey: string;
  /** Default https://queue.fal.run. */
  queueUrl?: string;
  /** Downloads outputs: their URLs come from the upstream, so they pass the SSRF guard. */
  fetch: SafeFetch;
  apps?: FalEngineApps;
  /** Between status polls; default 500 ms (fal-js's own default). */
  pollIntervalMs?: number;
  /** Per request, from submit to downloaded outputs; default 10 min. */
  timeoutMs?: number;
  /** Retries of one API call on 429/5xx; default 3. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** Largest output accepted, in bytes and pixels. */
  maxOutputBytes?: number;
  maxOutputPixels?: number;
};

const ownerAlias = (appId: string): string => appId.split('/').slice(0, 2).join('/');

/** Runs gpt-image-2 on fal's queue API: submit, poll the status, fetch the result, download the images. */
export class FalImageEngine implements ImageEngine {
  readonly engineId = 'fal';
  readonly description = 'GPT Image 2 on fal.ai (queue.fal.run, openai/gpt-image-2[/edit]): text-to-image, multi-image edits and masks';
  readonly capabilities: EngineCapabilities = {
    generate: true,
    edit: true,
    mask: true,
    maxInputImages: 16,
    partialImages: false,
    transparentBackground: false,
  };
  readonly sizeLimits = gptImage2SizeLimits;
  private readonly api: FalQueueClient;

  constructor(private readonly settings: FalEngineSettings) {
    this.api = new FalQueueClient({
      apiKey: settings.apiKey,
      queueUrl: (settings.queueUrl ?? 'https://queue.fal.run').replace(/\/+$/, ''),
      maxRetries: settings.maxRetries ?? 3,
      retryBaseDelayMs: settings.retryBaseDelayMs ?? 500,
    });
  }

  async run(engineRequest: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const timeoutMs = this.settings.timeoutMs ?? 600_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([context.signal, deadline]);
    const task = toFalTask(engineRequest, this.settings.apps ?? defaultFalEngineApps);
    const app = ownerAlias(task.appId);
    let requestId: string | undefined;
    try {
      requestId = await this.api.submit(task.appId, task.body, signal);
      context.reportProgress({ message: `fal request ${requestId} submitted to ${task.appId}`, fraction: 0.05 });
      await this.waitForCompletion(app, requestId, signal, context);
      const output = await this.api.result(app, requestId, signal);
      const images = await this.download(output, engineRequest, signal);
      return { images, warnings: task.warnings, usage: undefined };
    } catch (error) {
      if (requestId !== undefined && signal.aborted) void this.api.cancel(app, requestId);
      if (deadline.aborted && !context.signal.aborted) {
        throw new GatewayError('timeout', `fal did not finish within ${Math.round(timeoutMs / 1000)} s`, { cause: error });
      }
      throw error;
    }
  }

  /** Polls until COMPLETED. A failed request is COMPLETED too: its real error comes from the result call. */
  private async waitForCompletion(app: string, requestId: string, signal: AbortSignal, context: EngineCallContext): Promise<void> {
    for (;;) {
      const status = await this.api.status(app, requestId, signal);
      if (status.status === 'COMPLETED') return;
      const message =
        status.status === 'IN_QUEUE'
          ? `queued at fal${status.queuePosition !== undefined ? ` (position ${status.queuePosition})` : ''}`
          : (status.lastLog ?? 'running at fal');
      context.reportProgress({ message, fraction: undefined });
      await sleep(this.settings.pollIntervalMs ?? 500, signal);
    }
  }

  private async download(output: Record<string, unknown>, engineRequest: EngineRequest, signal: AbortSignal): Promise<EngineImage[]> {
    const entries = Array.isArray(output.images) ? (output.images as Array<{ url?: unknown }>) : [];
    const urls = entries.map((entry) => entry?.url).filter((url): url is string => typeof url === 'string' && url !== '');
    if (urls.length === 0) throw new GatewayError('upstream_error', 'fal completed the request without any images');
    return Promise.all(urls.map((url, index) => this.downloadOne(url, index, engineRequest, signal)));
  }

  /** One output (a fal CDN URL, or a data URI in sync mode) in the requested format. */
  private async downloadOne(url: string, index: number, engineRequest: EngineRequest, signal: AbortSignal): Promise<EngineImage> {
    const field = `fal output ${index}`;
    const maxBytes = this.settings.maxOutputBytes ?? 50 * 1024 * 1024;
    let data: Uint8Array;
    try {
      data = url.startsWith('data:') ? parseDataUri(url, field, maxBytes).data : (await this.settings.fetch.fetchBytes(url, { field, maxBytes, signal })).data;
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw new GatewayError('upstream_error', `Downloading fal's output failed: ${(error as Error).message}`, { cause: error });
    }
    return toRequestedImage(data, {
      upstreamName: 'fal',
      field,
      maxBytes,
      maxPixels: this.settings.maxOutputPixels ?? 50_000_000,
      request: engineRequest.request,
    });
  }
}
