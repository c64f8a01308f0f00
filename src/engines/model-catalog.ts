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
  // The other ids OpenAI clients send: served by the OpenAI upstream as-is when one is configured.
  openAiImageModel('gpt-image-2-2026-04-21', 'GPT Image 2 (2026-04-21 snapshot)', 'The pinned 2026-04-21 snapshot of GPT Image 2.', '2026-04-21'),
  openAiImageModel('gpt-image-1.5', 'GPT Image 1.5', "OpenAI's GPT Image 1.5: generation and multi-image edits with input fidelity control.", '2025-12-16'),
  openAiImageModel('gpt-image-1', 'GPT Image 1', "OpenAI's first GPT Image model (retired by OpenAI on 2026-10-23; OpenAI may refuse it).", '2025-04-23'),
  openAiImageModel('gpt-image-1-mini', 'GPT Image 1 Mini', "OpenAI's smaller, cheaper GPT Image 1 variant.", '2025-10-06'),
  openAiImageModel('chatgpt-image-latest', 'ChatGPT Image (latest)', 'The image model currently used in ChatGPT, as OpenAI exposes it in the API.', '2025-12-16'),
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

/** A gpt-image family id that routes like gpt-image-2: to the OpenAI upstream when configured, else to the local engine. */
function openAiImageModel(id: string, displayName: string, summary: string, releasedAt: string): ModelDefinition {
  return {
    id,
    displayName,
    description: `${summary} Generates, and edits when input images are given. Served by OpenAI when OPENAI_API_KEY is set; otherwise by darkroom's offline local engine.`,
    operations: ['generate', 'edit'],
    requiresInputImages: false,
    family: 'gpt-image-2',
    releasedAt,
  };
}
