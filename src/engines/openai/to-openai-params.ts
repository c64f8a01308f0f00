import type { Background, OutputFormat, Quality } from '../../domain/image-request.ts';
import type { EngineWarning } from '../../domain/job.ts';
import { fitSizeToLimits, formatSize, parseAspectRatio, type SizeLimits } from '../../domain/size-rules.ts';
import type { EngineCapabilities, EngineRequest } from '../image-engine.ts';

/** What an OpenAI-style upstream supports beyond the common capabilities; compatible servers often lack these. */
export type OpenAiCapabilities = EngineCapabilities & {
  /** Understands `moderation: low|auto`. */
  moderation: boolean;
  /** Understands `input_fidelity: high|low` on edits. */
  inputFidelity: boolean;
};

/** The scalar fields of one `images.generate` / `images.edit` call; the engine adds the files. */
export type OpenAiImageParams = {
  model: string;
  prompt: string;
  n: number;
  /** `WIDTHxHEIGHT` or `auto`. */
  size: string;
  /** `xhigh` / `max` come only from an OpenAI client (engineOptions.openai.quality); darkroom has no such level. */
  quality: Quality | 'xhigh' | 'max';
  background: Background;
  output_format: OutputFormat;
  output_compression?: number;
  moderation?: 'low' | 'auto';
  input_fidelity?: 'high' | 'low';
  complexity?: 'low' | 'medium' | 'high';
  user?: string;
  safety_identifier?: string;
  /** Only on streaming calls. */
  partial_images?: number;
};

export type OpenAiCallPlan = {
  operation: 'generate' | 'edit';
  params: OpenAiImageParams;
  stream: boolean;
  warnings: EngineWarning[];
};

export type OpenAiParamsSettings = {
  engineId: string;
  /** darkroom model id → upstream model id; ids not listed are sent as they are. */
  upstreamModels: Record<string, string>;
  capabilities: OpenAiCapabilities;
  sizeLimits: SizeLimits;
};

/** The OpenAI-specific options a dialect may put under `engineOptions.openai`, under their wire names. */
const knownOptions = new Set(['moderation', 'input_fidelity', 'user', 'safety_identifier', 'complexity', 'quality']);
const defaultAutoPixels = 1024 * 1024;

/**
 * The internal request → the upstream call's fields. Pure. Every internal field is either mapped or, when
 * the upstream cannot honour it, reported as a warning; nothing darkroom-internal is forwarded.
 */
export function toOpenAiParams(engineRequest: EngineRequest, settings: OpenAiParamsSettings): OpenAiCallPlan {
  const { request } = engineRequest;
  const { engineId, capabilities } = settings;
  const operation = engineRequest.inputImages.length > 0 ? 'edit' : 'generate';
  const warnings: EngineWarning[] = [];
  const warn = (feature: string, message: string) => warnings.push({ feature, message });

  const params: OpenAiImageParams = {
    model: settings.upstreamModels[request.model] ?? request.model,
    prompt: request.prompt,
    n: request.imageCount,
    size: upstreamSize(engineRequest, settings.sizeLimits),
    quality: request.quality,
    background: request.background,
    output_format: request.outputFormat,
  };

  if (request.background === 'transparent' && !capabilities.transparentBackground) {
    params.background = 'auto';
    warn('background', `the ${engineId} engine cannot make transparent backgrounds; the request was sent with background "auto"`);
  }
  if (request.outputCompression !== undefined) {
    if (request.outputFormat === 'png') warn('output_compression', 'png is lossless, so output_compression was not sent (it applies to jpeg and webp)');
    else params.output_compression = request.outputCompression;
  }
  if (request.seed !== undefined) {
    warn('seed', `the ${engineId} engine has no seed parameter; the seed was not sent and results are not reproducible`);
  }

  const stream = request.partialImages > 0 && capabilities.partialImages;
  if (stream) params.partial_images = Math.min(3, request.partialImages);
  else if (request.partialImages > 0) {
    warn('partial_images', `the ${engineId} engine does not stream partial images; only the final image will arrive`);
  }

  const options = request.engineOptions.openai ?? {};
  for (const [name, value] of Object.entries(options)) {
    if (!knownOptions.has(name)) warn(name, `"${name}" is not an option the ${engineId} engine forwards; it was not sent`);
    else if (name === 'moderation') {
      if (value !== 'low' && value !== 'auto') warn(name, 'moderation must be "low" or "auto"; it was not sent');
      else if (!capabilities.moderation) warn(name, `the ${engineId} engine has no moderation setting; moderation "${value}" was not sent`);
      else params.moderation = value;
    } else if (name === 'input_fidelity') {
      if (value !== 'high' && value !== 'low') warn(name, 'input_fidelity must be "high" or "low"; it was not sent');
      else if (operation === 'generate') warn(name, 'input_fidelity applies to edits only; it was not sent');
      else if (!capabilities.inputFidelity) warn(name, `the ${engineId} engine has no input_fidelity setting; it was not sent`);
      else params.input_fidelity = value;
    } else if (name === 'complexity') {
      if (value === 'low' || value === 'medium' || value === 'high') params.complexity = value;
      else warn(name, 'complexity must be "low", "medium" or "high"; it was not sent');
    } else if (name === 'quality') {
      // The client's own level above `high`, which the internal request could only call `high`.
      if (value === 'xhigh' || value === 'max') params.quality = value;
      else warn(name, 'only quality "xhigh" or "max" may be given as an engine option; it was not sent');
    } else if (typeof value === 'string' && value.length > 0) params[name === 'user' ? 'user' : 'safety_identifier'] = value;
    else warn(name, `${name} must be a non-empty string; it was not sent`);
  }
  return { operation, params, stream, warnings };
}

/**
 * An explicit (already fitted) size is sent as `WxH`. Without one, an aspect ratio still matters: it becomes a
 * concrete size of about one megapixel (an edit's own pixel count) at that ratio; otherwise `auto`.
 */
function upstreamSize(engineRequest: EngineRequest, limits: SizeLimits): string {
  if (engineRequest.size) return formatSize(engineRequest.size);
  const ratio = engineRequest.request.aspectRatio === undefined ? undefined : parseAspectRatio(engineRequest.request.aspectRatio);
  if (ratio === undefined) return 'auto';
  const first = engineRequest.inputImages[0];
  const pixels = first ? first.width * first.height : defaultAutoPixels;
  return formatSize(fitSizeToLimits({ width: Math.sqrt(pixels * ratio), height: Math.sqrt(pixels / ratio) }, limits));
}
