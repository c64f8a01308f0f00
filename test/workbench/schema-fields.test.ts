import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { toOxenModel } from '../../src/dialects/oxen/oxen-models.ts';
import { EngineRouter } from '../../src/engines/engine-router.ts';
import { LocalImageEngine } from '../../src/engines/local/local-image-engine.ts';
import type { JsonSchema } from '../../src/workbench/app/api-types.ts';
import { describeRequestSchema, fieldValue, labelFor, type FieldSpec } from '../../src/workbench/app/schema-fields.ts';

const router = new EngineRouter({ engines: [new LocalImageEngine()], routes: {}, familyPreference: [] });
const publishedSchema = (modelId: string) => toOxenModel(router.resolve(modelId)).request_schema as JsonSchema;
const field = (fields: FieldSpec[], name: string) => fields.find((candidate) => candidate.name === name);

describe('describeRequestSchema on the published Oxen schemas', () => {
  it('gives the prompt, images and mask their own controls and every other property a generated one', () => {
    const form = describeRequestSchema(publishedSchema('gpt-image-2'));
    expect(form.prompt).toMatchObject({ required: true, maxLength: 32_000 });
    expect(form.inputImages).toMatchObject({ required: false, maxItems: 16 });
    expect(form.mask?.description).toContain('White pixels mark regions to edit');
    expect(form.fields.map((entry) => entry.name)).toEqual([
      'resolution', 'aspect_ratio', 'quality', 'output_format', 'num_images', 'response_format', 'background', 'output_compression', 'seed', 'partial_images',
    ]);
  });

  it('turns enums into selects with the default shown and case duplicates folded', () => {
    const { fields } = describeRequestSchema(publishedSchema('gpt-image-2'));
    expect(field(fields, 'quality')).toMatchObject({ kind: 'select', options: ['auto', 'low', 'medium', 'high'], defaultValue: 'high' });
    const resolution = field(fields, 'resolution');
    expect(resolution?.kind === 'select' && resolution.options).toEqual(['auto', '1024x768', '1024x1024', '1024x1536', '1920x1080', '2560x1440', '3840x2160', '1K', '2K', '4K']);
    expect(resolution?.description).toContain('Default: 1920x1080');
  });

  it('turns bounded integers with defaults into sliders and open ones into number inputs', () => {
    const { fields } = describeRequestSchema(publishedSchema('gpt-image-2'));
    expect(field(fields, 'num_images')).toMatchObject({ kind: 'integer', control: 'slider', minimum: 1, maximum: 4, defaultValue: 1 });
    // Optional without a default: a slider could not say "not set".
    expect(field(fields, 'output_compression')).toMatchObject({ kind: 'integer', control: 'number', minimum: 0, maximum: 100 });
    expect(field(fields, 'seed')).toMatchObject({ kind: 'integer', control: 'number', minimum: undefined, maximum: undefined });
  });

  it('marks input images required for edit-only models', () => {
    expect(describeRequestSchema(publishedSchema('gpt-image-2-edit')).inputImages?.required).toBe(true);
  });

  it('draws a model nobody wrote UI code for: booleans, strings and numbers from any zod schema', () => {
    const schema = z.toJSONSchema(
      z.object({
        prompt: z.string(),
        enhance: z.boolean().default(false).describe('Let the model rewrite the prompt'),
        negative_prompt: z.string().max(2000).optional(),
        guidance: z.number().min(0).max(20).default(7.5),
        style: z.enum(['photo', 'ink']).optional(),
        tags: z.array(z.string()).optional(),
      }),
      { io: 'input' },
    ) as JsonSchema;
    const form = describeRequestSchema(schema);
    expect(form.inputImages).toBeUndefined();
    expect(form.fields.map((entry) => [entry.name, entry.kind])).toEqual([
      ['enhance', 'boolean'],
      ['negative_prompt', 'text'],
      ['guidance', 'number'],
      ['style', 'select'],
    ]);
    expect(field(form.fields, 'negative_prompt')).toMatchObject({ multiline: true, maxLength: 2000 });
    expect(field(form.fields, 'enhance')?.description).toBe('Let the model rewrite the prompt');
  });
});

describe('fieldValue', () => {
  const { fields } = describeRequestSchema(publishedSchema('gpt-image-2'));
  const quality = field(fields, 'quality');
  const seed = field(fields, 'seed');

  it('leaves out empty values and values equal to the default', () => {
    if (!quality || !seed) throw new Error('fields missing');
    expect(fieldValue(quality, 'high')).toBeUndefined();
    expect(fieldValue(quality, 'low')).toBe('low');
    expect(fieldValue(seed, '')).toBeUndefined();
    expect(fieldValue(seed, '42')).toBe(42);
    expect(fieldValue(seed, 'abc')).toBeUndefined();
  });

  it('labels fields from their names', () => {
    expect(labelFor('output_format')).toBe('Output format');
    expect(labelFor('numImages')).toBe('Num images');
  });
});
