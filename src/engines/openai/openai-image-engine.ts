import OpenAI, { toFile, type ClientOptions } from 'openai';
import type {
  ImageEditParamsNonStreaming,
  ImageEditParamsStreaming,
  ImageEditStreamEvent,
  ImageGenerateParamsNonStreaming,
  ImageGenerateParamsStreaming,
  ImageGenStreamEvent,
} from 'openai/resources/images';
import { Agent } from 'undici';
import { createUndiciFetch } from '../shared/create-undici-fetch.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { EngineWarning } from '../../domain/job.ts';
import type { SizeLimits } from '../../domain/size-rules.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { EngineCallContext, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../image-engine.ts';
import { fromOpenAiError } from './from-openai-error.ts';
import { parseImagesResponse, type ParsedImagesResponse } from './parse-images-response.ts';
import { decodeUpstreamImage, readUpstreamImage, toImageUsage, type UpstreamUsage } from './read-upstream-images.ts';
import { toOpenAiMask } from './to-openai-mask.ts';
import { toOpenAiParams, type OpenAiCallPlan, type OpenAiCapabilities } from './to-openai-params.ts';

export type OpenAiImageEngineOptions = {
  engineId: string;
  /** The configured key; undefined = none (per-request keys only, or a keyless compatible server). */
  apiKey: string | undefined;
  /** Including the `/v1` prefix, as the SDK expects; undefined = https://api.openai.com/v1. */
  baseUrl: string | undefined;
  /** Per upstream attempt. Default 10 minutes: high-quality gpt-image-2 renders take minutes. */
  timeoutMs?: number;
  /** SDK retries on 408/409/429/5xx and connection errors, honouring retry-after(-ms). Default 2. */
  maxRetries?: number;
  capabilities: OpenAiCapabilities;
  sizeLimits: SizeLimits;
  /** darkroom model id → upstream model id; unlisted ids are sent unchanged. */
  models?: Record<string, string>;
  /** Whether a job's per-request `openaiApiKey` may be sent to this upstream (not to third-party servers). */
  acceptRequestKey?: boolean;
  /** Fetches result URLs an upstream answers with; the engine fetches URLs no other way. */
  safeFetch: SafeFetch;
  description?: string;
  /** Replaces the SDK's HTTP client (tests). */
  fetch?: ClientOptions['fetch'];
};

/** The gpt-image-2 family on OpenAI: edit ids are the same upstream model, called on /images/edits. */
export const defaultUpstreamModels: Record<string, string> = { 'gpt-image-2-edit': 'gpt-image-2' };

export const openAiCapabilities: OpenAiCapabilities = {
  generate: true,
  edit: true,
  mask: true,
  maxInputImages: 16,
  partialImages: true,
  transparentBackground: true,
  moderation: true,
  inputFidelity: true,
};

type EditBody = ImageEditParamsNonStreaming & { moderation?: 'low' | 'auto' };

/**
 * Calls an OpenAI Images API (OpenAI itself, or an OpenAI-compatible server such as LocalAI,
 * stable-diffusion.cpp or vLLM-Omni) through the official `openai` SDK: generations without inputs, edits
 * with every input image and the mask, optional streaming of partial images.
 */
export class OpenAiImageEngine implements ImageEngine {
  readonly engineId: string;
  readonly description: string;
  readonly capabilities: OpenAiCapabilities;
  readonly sizeLimits: SizeLimits;
  private readonly timeoutMs: number;
  private readonly upstreamName: string;
  private readonly models: Record<string, string>;
  private readonly dispatcher: Agent | undefined;
  private readonly fetch: typeof globalThis.fetch | undefined;
  private sharedClient: OpenAI | undefined;

  constructor(private readonly options: OpenAiImageEngineOptions) {
    this.engineId = options.engineId;
    this.capabilities = options.capabilities;
    this.sizeLimits = options.sizeLimits;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.models = { ...defaultUpstreamModels, ...options.models };
    this.upstreamName = options.engineId === 'openai' ? 'OpenAI' : `the ${options.engineId} engine`;
    this.description = options.description ?? `OpenAI Images API at ${options.baseUrl ?? 'https://api.openai.com/v1'}`;
    // Node's fetch gives up on silent responses after 5 minutes by default; long renders need the full timeout.
    this.dispatcher = options.fetch ? undefined : new Agent({ headersTimeout: this.timeoutMs + 1000, bodyTimeout: this.timeoutMs + 1000 });
    this.fetch = this.dispatcher ? createUndiciFetch(this.dispatcher) : undefined;
  }

  async run(engineRequest: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const { signal } = context;
    if (engineRequest.mask && !this.capabilities.mask) {
      throw new GatewayError('unsupported_operation', `the ${this.engineId} engine does not support masks`, { field: 'mask' });
    }
    const apiKey = this.apiKeyFor(engineRequest);
    const plan = toOpenAiParams(engineRequest, {
      engineId: this.engineId,
      upstreamModels: this.models,
      capabilities: this.capabilities,
      sizeLimits: this.sizeLimits,
    });
    const client = apiKey === this.options.apiKey ? (this.sharedClient ??= this.createClient(apiKey)) : this.createClient(apiKey);
    context.reportProgress({ message: `waiting for ${this.upstreamName}`, fraction: undefined });
    try {
      const output = plan.stream ? await this.callStreaming(client, plan, engineRequest, context) : await this.call(client, plan, engineRequest, signal);
      return { ...output, warnings: [...plan.warnings, ...resultWarnings(plan, engineRequest, output.images)] };
    } catch (error) {
      if (signal.aborted) throw signal.reason instanceof GatewayError ? signal.reason : new GatewayError('cancelled', 'The upstream call was cancelled');
      throw fromOpenAiError(error, { upstreamName: this.upstreamName, timeoutMs: this.timeoutMs, secrets: apiKey ? [apiKey] : [] });
    }
  }

  private apiKeyFor(engineRequest: EngineRequest): string | undefined {
    const acceptRequestKey = this.options.acceptRequestKey ?? true;
    const requestKey = acceptRequestKey ? engineRequest.credentials.openaiApiKey : undefined;
    const apiKey = requestKey ?? this.options.apiKey;
    if (apiKey === undefined && acceptRequestKey) {
      throw new GatewayError(
        'upstream_error',
        `No API key for ${this.upstreamName}: per-request keys live in memory only and this job's was lost (the server restarted), ` +
          `and the ${this.engineId} engine has no configured key. Submit the request again.`,
        { retryable: false },
      );
    }
    return apiKey;
  }

  private createClient(apiKey: string | undefined): OpenAI {
    return new OpenAI({
      // A keyless compatible server gets no Authorization header at all (the SDK insists on some key).
      apiKey: apiKey ?? 'keyless',
      ...(apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      baseURL: this.options.baseUrl ?? 'https://api.openai.com/v1',
      // Explicit, so the SDK never falls back to OPENAI_* environment variables: settings come from src/config.
      organization: null,
      project: null,
      adminAPIKey: null,
      timeout: this.timeoutMs,
      maxRetries: this.options.maxRetries ?? 2,
      // The SDK's debug log prints requests; keys and prompts stay out of logs.
      logLevel: 'off',
      fetch: this.options.fetch ?? this.fetch,
    });
  }

  private async call(client: OpenAI, plan: OpenAiCallPlan, engineRequest: EngineRequest, signal: AbortSignal) {
    // The raw answer (errors are still raised by the SDK): base64 images are decoded from its bytes.
    let raw: Response;
    if (plan.operation === 'generate') {
      const body: ImageGenerateParamsNonStreaming = { ...plan.params, stream: false };
      raw = await client.images.generate(body, { signal }).asResponse();
    } else {
      const body: EditBody = { ...plan.params, ...(await this.files(engineRequest)), stream: false };
      raw = await client.images.edit(body, { signal }).asResponse();
    }
    let response: ParsedImagesResponse;
    try {
      response = parseImagesResponse(new Uint8Array(await raw.arrayBuffer()));
    } catch (error) {
      if (signal.aborted) throw error;
      throw new GatewayError('upstream_error', `${this.upstreamName} answered with a body that is not JSON`, { cause: error });
    }
    if (!Array.isArray(response.data) || response.data.length === 0) {
      throw new GatewayError('upstream_error', `${this.upstreamName} answered without any image`);
    }
    const images: EngineImage[] = [];
    for (const [index, image] of response.data.entries()) {
      images.push(await readUpstreamImage(image, { index, upstreamName: this.upstreamName, safeFetch: this.options.safeFetch, signal }));
    }
    return { images, usage: toImageUsage([response.usage as UpstreamUsage | undefined]) };
  }

  /** Streams `*.partial_image` events to the context and collects the images of the `*.completed` events. */
  private async callStreaming(client: OpenAI, plan: OpenAiCallPlan, engineRequest: EngineRequest, context: EngineCallContext) {
    const { signal } = context;
    let stream: AsyncIterable<ImageGenStreamEvent | ImageEditStreamEvent>;
    if (plan.operation === 'generate') {
      const body: ImageGenerateParamsStreaming = { ...plan.params, stream: true };
      stream = await client.images.generate(body, { signal });
    } else {
      const body: ImageEditParamsStreaming & { moderation?: 'low' | 'auto' } = { ...plan.params, ...(await this.files(engineRequest)), stream: true };
      stream = await client.images.edit(body, { signal });
    }
    const images: EngineImage[] = [];
    const usages: Array<UpstreamUsage | undefined> = [];
    const forwarded = new Set<number>();
    for await (const event of stream) {
      if (event.type === 'image_generation.partial_image' || event.type === 'image_edit.partial_image') {
        const index = event.partial_image_index;
        // With n > 1 every image streams its own partials; the first image's previews are enough.
        if (forwarded.has(index) || index < 0 || index >= engineRequest.request.partialImages) continue;
        forwarded.add(index);
        const partial = await decodeUpstreamImage(new Uint8Array(Buffer.from(event.b64_json, 'base64')), `partial image ${index}`, this.upstreamName);
        await context.reportPartialImage({ ...partial, index });
      } else if (event.type === 'image_generation.completed' || event.type === 'image_edit.completed') {
        images.push(await decodeUpstreamImage(new Uint8Array(Buffer.from(event.b64_json, 'base64')), `image ${images.length}`, this.upstreamName));
        usages.push(event.usage as UpstreamUsage | undefined);
      }
    }
    if (images.length === 0) throw new GatewayError('upstream_error', `${this.upstreamName} ended the stream without a completed image`);
    return { images, usage: toImageUsage(usages) };
  }

  /** Input images in order (one → `image`, several → `image[]` parts) and the mask in OpenAI's alpha convention. */
  private async files(engineRequest: EngineRequest) {
    const files = await Promise.all(
      engineRequest.inputImages.map((image, index) => toFile(image.data, `image-${index + 1}.${image.mediaType.slice('image/'.length)}`, { type: image.mediaType })),
    );
    const [first] = files;
    if (!first) throw new GatewayError('internal', 'an edit without input images reached the engine');
    const mask = engineRequest.mask ? await toFile(await toOpenAiMask(engineRequest.mask), 'mask.png', { type: 'image/png' }) : undefined;
    return { image: files.length === 1 ? first : files, ...(mask ? { mask } : {}) };
  }
}

/** What the upstream did differently from what was asked, so it is reported rather than silently accepted. */
function resultWarnings(plan: OpenAiCallPlan, engineRequest: EngineRequest, images: EngineImage[]): EngineWarning[] {
  const warnings: EngineWarning[] = [];
  const { request } = engineRequest;
  if (images.length < request.imageCount) {
    warnings.push({ feature: 'n', message: `asked the upstream for ${request.imageCount} images and received ${images.length}` });
  }
  const expectedType = `image/${request.outputFormat}`;
  const other = images.find((image) => image.mediaType !== expectedType);
  if (other) warnings.push({ feature: 'output_format', message: `the upstream returned ${other.mediaType.slice(6)} instead of ${request.outputFormat}` });
  const first = images[0];
  if (first && plan.params.size !== 'auto' && `${first.width}x${first.height}` !== plan.params.size) {
    warnings.push({ feature: 'size', message: `asked the upstream for ${plan.params.size} and received ${first.width}x${first.height}` });
  }
  return warnings;
}
