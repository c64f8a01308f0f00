import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageRequestDraft } from '../../domain/image-request.ts';
import { findFalApp, falApps } from '../fal/fal-apps.ts';
import { falInputSchema, parseFalInput } from '../fal/fal-wire-schemas.ts';
import { falToImageRequest } from '../fal/to-image-request.ts';
import { defaultOpenAiModel, openAiImageBodySchema } from '../openai/openai-wire-schemas.ts';
import { openAiToImageRequest } from '../openai/to-image-request.ts';
import { oxenRequestSchema, type OxenRequestBody } from '../oxen/oxen-wire-schemas.ts';
import { oxenToImageRequest } from '../oxen/to-image-request.ts';
import { parseWith } from '../shared/zod-error.ts';
import { waveSpeedRequestSchema, type WaveSpeedEndpoint } from '../wavespeed/wavespeed-wire-schemas.ts';
import { waveSpeedToImageRequest } from '../wavespeed/to-image-request.ts';
import type { EngineRouter } from '../../engines/engine-router.ts';

export const estimateDialects = ['oxen', 'openai', 'fal', 'wavespeed'] as const;
export type EstimateDialect = (typeof estimateDialects)[number];

export type EstimateInput = {
  dialect: EstimateDialect;
  /** fal app id (`openai/gpt-image-2/edit`) or WaveSpeed endpoint (`edit`, `text-to-image`); inferred when absent. */
  target: string | undefined;
  body: Record<string, unknown>;
};

/**
 * A submit body in any dialect → the draft it would become and how many jobs it would create, through each
 * dialect's own schema and pure translator, so an estimate sees exactly what a submit would.
 */
export function toEstimatedDraft(input: EstimateInput, router: EngineRouter, maxPromptLength: number): { draft: ImageRequestDraft; copies: number } {
  const { body } = input;
  switch (input.dialect) {
    case 'oxen': {
      if (typeof body.model !== 'string' || body.model.trim() === '') throw GatewayError.invalid('model', 'required: a model id such as gpt-image-2');
      const route = router.resolve(body.model);
      const parsed = parseWith(oxenRequestSchema(route.model, 'queue', maxPromptLength), body) as OxenRequestBody;
      return { draft: oxenToImageRequest(parsed, 'queue'), copies: parsed.num_generations ?? 1 };
    }
    case 'openai': {
      const model = typeof body.model === 'string' && body.model.trim() !== '' ? body.model.trim() : defaultOpenAiModel;
      const route = router.resolve(model);
      const parsed = parseWith(openAiImageBodySchema({ maxPromptLength, maxEdge: route.engine.sizeLimits.maxEdge }), body);
      return { draft: openAiToImageRequest({ ...parsed, model }, { images: [], mask: undefined }), copies: 1 };
    }
    case 'fal': {
      const appId = input.target ?? (Array.isArray(body.image_urls) ? 'openai/gpt-image-2/edit' : 'openai/gpt-image-2');
      const app = findFalApp(appId);
      if (!app) throw GatewayError.invalid('app', `unknown fal app ${appId}; one of ${falApps.map((entry) => entry.id).join(', ')}`);
      return { draft: falToImageRequest(parseFalInput(falInputSchema(app, maxPromptLength), body), app, { partialImages: 0 }), copies: 1 };
    }
    case 'wavespeed': {
      const endpoint = (input.target ?? (Array.isArray(body.images) ? 'edit' : 'text-to-image')) as WaveSpeedEndpoint;
      if (endpoint !== 'edit' && endpoint !== 'text-to-image') throw GatewayError.invalid('endpoint', 'must be edit or text-to-image');
      return { draft: waveSpeedToImageRequest(parseWith(waveSpeedRequestSchema(endpoint, maxPromptLength, 16), body), endpoint), copies: 1 };
    }
  }
}
