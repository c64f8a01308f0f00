import { describe, expect, it } from 'vitest';
import type { Job } from '../../domain/job.ts';
import { sampleJob, sampleRequest } from '../../../test/helpers/sample-job.ts';
import {
  echoedBackground,
  echoedQuality,
  toOpenAiCompletedEvent,
  toOpenAiFile,
  toOpenAiImagesResponse,
  toOpenAiPartialImageEvent,
} from './to-openai-response.ts';

const usage = { inputTokens: 5, outputTokens: 7, totalTokens: 12, inputTextTokens: 3, inputImageTokens: 2, outputTextTokens: 1, outputImageTokens: 6 };

const succeeded = (overrides: Partial<Job> = {}): Job => ({
  ...sampleJob({ createdAt: new Date('2026-01-02T03:04:05.900Z') }),
  state: 'succeeded',
  result: { images: [], warnings: [], usage: undefined, size: { width: 1920, height: 1088 } },
  error: undefined,
  attempts: 1,
  startedAt: undefined,
  completedAt: undefined,
  ...overrides,
});

describe('toOpenAiImagesResponse', () => {
  it('has every ImagesResponse field, the produced size and zero usage when the engine reported none', () => {
    expect(toOpenAiImagesResponse(succeeded(), [{ b64_json: 'AAAA' }])).toEqual({
      created: Math.floor(Date.parse('2026-01-02T03:04:05Z') / 1000),
      data: [{ b64_json: 'AAAA' }],
      background: 'opaque',
      output_format: 'png',
      size: '1920x1088',
      quality: 'high',
      usage: {
        total_tokens: 0,
        input_tokens: 0,
        output_tokens: 0,
        input_tokens_details: { text_tokens: 0, image_tokens: 0 },
        output_tokens_details: { image_tokens: 0, text_tokens: 0 },
      },
    });
  });

  it('reports the engine usage', () => {
    const job = succeeded({ result: { images: [], warnings: [], usage, size: { width: 1024, height: 1024 } } });
    expect(toOpenAiImagesResponse(job, []).usage).toEqual({
      total_tokens: 12,
      input_tokens: 5,
      output_tokens: 7,
      input_tokens_details: { text_tokens: 3, image_tokens: 2 },
      output_tokens_details: { image_tokens: 6, text_tokens: 1 },
    });
  });
});

describe('echoed quality and background', () => {
  it('echoes concrete values', () => {
    expect(echoedQuality(sampleRequest({ quality: 'auto' }))).toBe('medium');
    expect(echoedQuality(sampleRequest({ quality: 'low' }))).toBe('low');
    expect(echoedQuality(sampleRequest({ quality: 'high', engineOptions: { openai: { quality: 'max' } } }))).toBe('max');
    expect(echoedBackground(sampleRequest({ background: 'auto' }))).toBe('opaque');
    expect(echoedBackground(sampleRequest({ background: 'transparent', outputFormat: 'webp' }))).toBe('transparent');
    expect(echoedBackground(sampleRequest({ background: 'transparent', outputFormat: 'jpeg' }))).toBe('opaque');
  });
});

describe('stream events', () => {
  const image = { b64_json: 'BBBB', size: { width: 640, height: 480 }, createdAt: new Date('2026-01-02T03:04:05Z') };

  it('builds partial_image events with every required field', () => {
    expect(toOpenAiPartialImageEvent('edits', sampleRequest({ outputFormat: 'webp' }), image, 2)).toEqual({
      type: 'image_edit.partial_image',
      b64_json: 'BBBB',
      created_at: 1767323045,
      size: '640x480',
      quality: 'high',
      background: 'opaque',
      output_format: 'webp',
      partial_image_index: 2,
    });
  });

  it('builds completed events; only the first image of a job carries its usage', () => {
    const job = succeeded({ result: { images: [], warnings: [], usage, size: { width: 640, height: 480 } } });
    const first = toOpenAiCompletedEvent('generations', job, image, 0);
    expect(first).toMatchObject({ type: 'image_generation.completed', b64_json: 'BBBB', size: '640x480', quality: 'high', background: 'opaque', output_format: 'png', usage: { total_tokens: 12 } });
    expect(toOpenAiCompletedEvent('generations', job, image, 1)).toMatchObject({ usage: { total_tokens: 0 } });
  });
});

describe('toOpenAiFile', () => {
  it('is the Files API object', () => {
    const record = { id: 'file-1', ownerKeyId: null, filename: 'a b.png', purpose: 'vision', bytes: 3, createdAt: 10, mediaType: 'image/png', contentKey: 'uploads/file-1/a_b.png' };
    expect(toOpenAiFile(record)).toEqual({ id: 'file-1', object: 'file', bytes: 3, created_at: 10, filename: 'a b.png', purpose: 'vision', status: 'processed' });
  });
});
