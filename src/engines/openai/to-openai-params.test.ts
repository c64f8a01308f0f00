import { describe, expect, it } from 'vitest';
import type { ImageRequest } from '../../domain/image-request.ts';
import { gptImage2SizeLimits } from '../../domain/size-rules.ts';
import type { EngineImage, EngineRequest } from '../image-engine.ts';
import { compatibleCapabilities, compatibleSizeLimits } from './create-openai-engines.ts';
import { defaultUpstreamModels, openAiCapabilities } from './openai-image-engine.ts';
import { toOpenAiParams, type OpenAiParamsSettings } from './to-openai-params.ts';
import { sampleRequest } from '../../../test/helpers/sample-job.ts';

const baseRequest: ImageRequest = sampleRequest({ model: 'gpt-image-2', prompt: 'a red kite', size: undefined, quality: 'auto' });

const input: EngineImage = { data: new Uint8Array(), mediaType: 'image/png', width: 2000, height: 1000 };

const openai: OpenAiParamsSettings = { engineId: 'openai', upstreamModels: defaultUpstreamModels, capabilities: openAiCapabilities, sizeLimits: gptImage2SizeLimits };
const localai: OpenAiParamsSettings = { engineId: 'localai', upstreamModels: {}, capabilities: compatibleCapabilities, sizeLimits: compatibleSizeLimits };

function plan(overrides: Partial<ImageRequest>, extras: Partial<EngineRequest> = {}, settings = openai) {
  const request = { ...baseRequest, ...overrides };
  return toOpenAiParams({ jobId: 'job', request, size: request.size, inputImages: [], mask: undefined, credentials: {}, ...extras }, settings);
}

describe('toOpenAiParams', () => {
  it('maps the defaults to a plain generation', () => {
    expect(plan({})).toEqual({
      operation: 'generate',
      stream: false,
      warnings: [],
      params: { model: 'gpt-image-2', prompt: 'a red kite', n: 1, size: 'auto', quality: 'auto', background: 'auto', output_format: 'png' },
    });
  });

  it('maps edit model ids to the upstream model and keeps unknown ids', () => {
    expect(plan({ model: 'gpt-image-2-edit' }, { inputImages: [input] }).params.model).toBe('gpt-image-2');
    expect(plan({ model: 'gpt-image-1.5' }).params.model).toBe('gpt-image-1.5');
    expect(plan({ model: 'flux' }, {}, { ...localai, upstreamModels: { flux: 'flux.1-dev' } }).params.model).toBe('flux.1-dev');
  });

  it('turns an aspect ratio without a size into a concrete size: ~1 MP for generations, the input pixels for edits', () => {
    expect(plan({ aspectRatio: '1:1' }).params.size).toBe('1024x1024');
    expect(plan({ aspectRatio: '9:16' }).params.size).toBe('768x1360');
    expect(plan({ aspectRatio: '1:1' }, { inputImages: [input] }).params.size).toBe('1408x1408');
    expect(plan({ aspectRatio: 'wide' }).params.size).toBe('auto');
  });

  it('streams only when partial images are asked for and supported', () => {
    expect(plan({ partialImages: 3 })).toMatchObject({ stream: true, params: { partial_images: 3 } });
    const unsupported = plan({ partialImages: 2 }, {}, localai);
    expect(unsupported.stream).toBe(false);
    expect(unsupported.params.partial_images).toBeUndefined();
    expect(unsupported.warnings).toEqual([{ feature: 'partial_images', message: expect.stringContaining('does not stream partial images') }]);
  });

  it('does not send output_compression with png, and says so', () => {
    expect(plan({ outputFormat: 'webp', outputCompression: 0 }).params.output_compression).toBe(0);
    const png = plan({ outputFormat: 'png', outputCompression: 80 });
    expect(png.params.output_compression).toBeUndefined();
    expect(png.warnings.map((warning) => warning.feature)).toEqual(['output_compression']);
  });

  it('forwards the openai engine options it knows and warns about the rest', () => {
    const edit = plan({ engineOptions: { openai: { moderation: 'low', input_fidelity: 'high', user: 'u1' } } }, { inputImages: [input] });
    expect(edit.params).toMatchObject({ moderation: 'low', input_fidelity: 'high', user: 'u1' });
    expect(edit.warnings).toEqual([]);

    const extras = plan({ quality: 'high', engineOptions: { openai: { quality: 'xhigh', complexity: 'medium', safety_identifier: 'hash-1' } } });
    expect(extras.params).toMatchObject({ quality: 'xhigh', complexity: 'medium', safety_identifier: 'hash-1' });

    const generation = plan({ engineOptions: { openai: { input_fidelity: 'high', moderation: 'strict', user: 3, style: 'vivid' } } });
    expect(generation.params).not.toHaveProperty('input_fidelity');
    expect(generation.params).not.toHaveProperty('moderation');
    expect(generation.params).not.toHaveProperty('user');
    expect(generation.params).not.toHaveProperty('style');
    expect(generation.warnings.map((warning) => warning.feature)).toEqual(['input_fidelity', 'moderation', 'user', 'style']);
  });

  it('reports what a compatible server cannot do instead of sending it', () => {
    const result = plan({ background: 'transparent', seed: 7, engineOptions: { openai: { moderation: 'low', input_fidelity: 'low' } } }, { inputImages: [input] }, localai);
    expect(result.params.background).toBe('auto');
    expect(result.params).not.toHaveProperty('moderation');
    expect(result.params).not.toHaveProperty('input_fidelity');
    expect(result.params).not.toHaveProperty('seed');
    expect(result.warnings.map((warning) => warning.feature)).toEqual(['background', 'seed', 'moderation', 'input_fidelity']);
  });
});
