import { describe, expect, it } from 'vitest';
import { openAiRequest, openAiSize, oxenRequest, supportsOpenAiDialect } from '../../src/workbench/app/build-request.ts';
import { workbenchForm } from './workbench-form.ts';

describe('oxenRequest', () => {
  it('posts text-only sync runs to generate with only the parameters the user set', () => {
    const request = oxenRequest(workbenchForm({ parameters: { quality: 'low' } }));
    expect(request).toEqual({ method: 'POST', path: '/api/ai/images/generate', body: { model: 'gpt-image-2', prompt: 'A lighthouse at dusk', quality: 'low' } });
  });

  it('posts runs with images to edit, with the mask only when there is an image to apply it to', () => {
    const withImages = oxenRequest(workbenchForm({ inputImages: ['data:image/png;base64,AAAA', 'https://example.com/b.png'], mask: 'data:image/png;base64,MASK' }));
    expect(withImages.path).toBe('/api/ai/images/edit');
    expect(withImages.body.input_image).toEqual(['data:image/png;base64,AAAA', 'https://example.com/b.png']);
    expect(withImages.body.mask_url).toBe('data:image/png;base64,MASK');
    expect(oxenRequest(workbenchForm({ mask: 'data:image/png;base64,MASK' })).body).not.toHaveProperty('mask_url');
  });

  it('sends edit-only models to the edit endpoint even before images are added', () => {
    expect(oxenRequest(workbenchForm({ model: 'gpt-image-2-edit', editOnly: true })).path).toBe('/api/ai/images/edit');
  });

  it('queues to /api/ai/queue and adds num_generations only above one', () => {
    expect(oxenRequest(workbenchForm({ mode: 'queued', generations: 1 })).body).not.toHaveProperty('num_generations');
    const queued = oxenRequest(workbenchForm({ mode: 'queued', generations: 3, inputImages: ['https://example.com/a.png'] }));
    expect(queued.path).toBe('/api/ai/queue');
    expect(queued.body.num_generations).toBe(3);
  });
});

describe('openAiRequest', () => {
  it('maps a generation to /v1/images/generations with n and size', () => {
    const request = openAiRequest(workbenchForm({ parameters: { num_images: 2, resolution: '1024x1536', quality: 'high', output_format: 'webp', seed: 7 } }));
    expect(request.path).toBe('/v1/images/generations');
    expect(request.body).toEqual({ model: 'gpt-image-2', prompt: 'A lighthouse at dusk', n: 2, size: '1024x1536', quality: 'high', output_format: 'webp' });
  });

  it('maps an edit to JSON /v1/images/edits with image references and the alpha mask', () => {
    const request = openAiRequest(
      workbenchForm({ inputImages: ['https://example.com/a.png', 'data:image/png;base64,BBBB'], mask: 'data:white', alphaMask: 'data:alpha' }),
    );
    expect(request.path).toBe('/v1/images/edits');
    expect(request.body.images).toEqual([{ image_url: 'https://example.com/a.png' }, { image_url: 'data:image/png;base64,BBBB' }]);
    expect(request.body.mask).toEqual({ image_url: 'data:alpha' });
  });

  it('offers the OpenAI dialect for the gpt-image family only', () => {
    expect(supportsOpenAiDialect('gpt-image-2-edit')).toBe(true);
    expect(supportsOpenAiDialect('darkroom-local')).toBe(false);
  });
});

describe('openAiSize', () => {
  it('keeps presets and auto, and resolves tiers with the chosen or the first image\'s aspect ratio', () => {
    expect(openAiSize({ resolution: '1920x1080' }, undefined)).toBe('1920x1080');
    expect(openAiSize({ resolution: 'auto' }, undefined)).toBe('auto');
    expect(openAiSize({}, undefined)).toBeUndefined();
    expect(openAiSize({ resolution: '4K', aspect_ratio: '16:9' }, undefined)).toBe('3840x2160');
    const [width, height] = (openAiSize({ resolution: '1k', aspect_ratio: 'auto' }, { width: 800, height: 400 }) ?? '').split('x').map(Number);
    expect((width ?? 0) / (height ?? 1)).toBeCloseTo(2, 1);
    // An aspect ratio alone means the 2K tier, as on Oxen.
    expect(openAiSize({ aspect_ratio: '1:1' }, undefined)).toBe('2048x2048');
  });
});
