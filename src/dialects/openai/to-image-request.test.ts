import { describe, expect, it } from 'vitest';
import { coerceFormFields, openAiImageBodySchema, type OpenAiImageBody } from './openai-wire-schemas.ts';
import { echoedOpenAiParameters, openAiToImageRequest } from './to-image-request.ts';

const parse = (body: Record<string, unknown>): OpenAiImageBody => openAiImageBodySchema({ maxPromptLength: 32_000, maxEdge: 3840 }).parse(body);
const noSources = { images: [], mask: undefined };

describe('openAiToImageRequest', () => {
  it('applies OpenAI defaults: gpt-image-2, one png, auto size/quality/background, no partials', () => {
    expect(openAiToImageRequest(parse({ prompt: 'a cat' }), noSources)).toEqual({
      model: 'gpt-image-2',
      prompt: 'a cat',
      imageCount: 1,
      size: undefined,
      sizeTier: undefined,
      aspectRatio: undefined,
      quality: 'auto',
      outputFormat: 'png',
      outputCompression: undefined,
      background: 'auto',
      seed: undefined,
      inputImages: [],
      mask: undefined,
      partialImages: 0,
      engineOptions: {},
    });
  });

  it('maps every field, with dall-e quality names as aliases', () => {
    const draft = openAiToImageRequest(
      parse({ model: 'gpt-image-2', prompt: 'x', n: 3, size: '1536x864', quality: 'hd', background: 'transparent', output_format: 'webp', output_compression: 40 }),
      noSources,
    );
    expect(draft).toMatchObject({ imageCount: 3, size: { width: 1536, height: 864 }, quality: 'high', background: 'transparent', outputFormat: 'webp', outputCompression: 40 });
    expect(openAiToImageRequest(parse({ prompt: 'x', quality: 'standard', size: 'auto' }), noSources)).toMatchObject({ quality: 'medium', size: undefined });
  });

  it('puts OpenAI-only fields into engineOptions.openai under their wire names', () => {
    const draft = openAiToImageRequest(
      parse({ prompt: 'x', moderation: 'low', input_fidelity: 'high', user: 'u-1', safety_identifier: 'hash', quality: 'xhigh', complexity: 'high' }),
      noSources,
    );
    expect(draft.quality).toBe('high');
    expect(draft.engineOptions).toEqual({
      openai: { moderation: 'low', input_fidelity: 'high', user: 'u-1', safety_identifier: 'hash', complexity: 'high', quality: 'xhigh' },
    });
  });

  it('asks for partial images only when streaming', () => {
    expect(openAiToImageRequest(parse({ prompt: 'x', partial_images: 2 }), noSources).partialImages).toBe(0);
    expect(openAiToImageRequest(parse({ prompt: 'x', partial_images: 2, stream: true }), noSources).partialImages).toBe(2);
  });

  it('keeps image order and marks the mask with the OpenAI alpha convention', () => {
    const first = { type: 'bytes' as const, data: new Uint8Array([1]), field: 'image.0' };
    const second = { type: 'url' as const, url: 'data:image/png;base64,AA', field: 'images.1.image_url' };
    const mask = { type: 'bytes' as const, data: new Uint8Array([2]), field: 'mask' };
    const draft = openAiToImageRequest(parse({ prompt: 'x' }), { images: [first, second], mask });
    expect(draft.inputImages).toEqual([first, second]);
    expect(draft.mask).toEqual({ ...mask, convention: 'alpha-edits' });
  });

  it('echoes the scalars without prompt, model or nulls', () => {
    expect(echoedOpenAiParameters(parse({ model: 'gpt-image-2', prompt: 'secret', n: 2, size: null, response_format: 'url' }))).toEqual({ n: 2, response_format: 'url' });
  });
});

describe('openAiImageBodySchema', () => {
  const issue = (body: Record<string, unknown>) => openAiImageBodySchema({ maxPromptLength: 100, maxEdge: 3840 }).safeParse(body).error?.issues[0]?.path.join('.');

  it('validates ranges and names the field', () => {
    expect(issue({ prompt: '' })).toBe('prompt');
    expect(issue({})).toBe('prompt');
    expect(issue({ prompt: 'x'.repeat(101) })).toBe('prompt');
    expect(issue({ prompt: 'x', n: 0 })).toBe('n');
    expect(issue({ prompt: 'x', partial_images: 4 })).toBe('partial_images');
    expect(issue({ prompt: 'x', output_compression: 101 })).toBe('output_compression');
    expect(issue({ prompt: 'x', size: 'big' })).toBe('size');
    expect(issue({ prompt: 'x', size: '4000x2000' })).toBe('size');
    expect(issue({ prompt: 'x', size: '8x512' })).toBe('size');
    expect(issue({ prompt: 'x', moderation: 'off' })).toBe('moderation');
    expect(issue({ prompt: 'x', size: '3840x2160', style: 'vivid', unknown_field: 1 })).toBeUndefined();
  });
});

describe('coerceFormFields', () => {
  it('turns multipart strings into numbers and booleans where the schema expects them', () => {
    expect(coerceFormFields({ n: '2', stream: 'true', partial_images: '1', output_compression: ' 80 ', prompt: '3', size: '1024x1024', user: '' })).toEqual({
      n: 2,
      stream: true,
      partial_images: 1,
      output_compression: 80,
      prompt: '3',
      size: '1024x1024',
    });
    expect(coerceFormFields({ stream: '0', n: 'two', prompt: '' })).toEqual({ stream: false, n: 'two', prompt: '' });
  });
});
