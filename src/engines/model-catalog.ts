/** A model darkroom serves. Which engine runs it is routing configuration, not part of the model. */
export type ModelDefinition = {
  id: string;
  displayName: string;
  description: string;
  /** `generate` = text-to-image; `edit` = needs at least one input image. */
  operations: ReadonlyArray<'generate' | 'edit'>;
  requiresInputImages: boolean;
  /** Models of the gpt-image-2 family route to a configured upstream when there is one. */
  family: 'gpt-image-2' | 'local' | 'custom';
  releasedAt: string;
};

export const localModelId = 'darkroom-local';

export const builtInModels: readonly ModelDefinition[] = [
  {
    id: 'gpt-image-2',
    displayName: 'GPT Image 2',
    description:
      "OpenAI's GPT Image 2: photorealistic images with strong prompt adherence and precise text rendering, up to 3840x2160. " +
      'Also edits when input images are given.',
    operations: ['generate', 'edit'],
    requiresInputImages: false,
    family: 'gpt-image-2',
    releasedAt: '2026-04-21',
  },
  {
    id: 'gpt-image-2-edit',
    displayName: 'GPT Image 2 Edit',
    description:
      'GPT Image 2 image editing: transforms one or more reference images from a text prompt, with optional mask ' +
      '(white = edit, black = preserve).',
    operations: ['edit'],
    requiresInputImages: true,
    family: 'gpt-image-2',
    releasedAt: '2026-04-21',
  },
  {
    id: localModelId,
    displayName: 'darkroom local engine',
    description:
      'The offline, deterministic engine built into darkroom: typesets prompts into images and applies a documented ' +
      'vocabulary of edits (filters, text, layouts, masks) with sharp. Not a generative model.',
    operations: ['generate', 'edit'],
    requiresInputImages: false,
    family: 'local',
    releasedAt: '2026-11-21',
  },
];
