import { z } from 'zod';
import type { Route } from '../../engines/engine-router.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import { localServingNotice } from '../shared/local-serving-notice.ts';
import { oxenRequestSchema } from './oxen-wire-schemas.ts';

/** The Oxen model object, with the request JSON Schema under both names Oxen's docs use; `pricing` from the price book. */
export function toOxenModel(route: Route, pricing?: JsonObject): JsonObject {
  const { model, engine } = route;
  const editOnly = model.requiresInputImages;
  const requestSchema = z.toJSONSchema(oxenRequestSchema(model, editOnly ? 'edit' : 'generate'), { io: 'input' }) as JsonObject;
  const notice = localServingNotice(route);
  return {
    id: model.id,
    object: 'model',
    created: Math.floor(Date.parse(model.releasedAt) / 1000),
    owned_by: 'darkroom',
    display_name: model.displayName,
    description: model.description,
    summary: model.description.split('. ')[0] ?? model.description,
    model_type: 'base',
    endpoint: editOnly ? '/images/edit' : '/images/generate',
    capabilities: { input: model.operations.includes('edit') ? ['text', 'image'] : ['text'], output: ['image'] },
    pricing: pricing ?? { method: 'per_image', cost_per_image: 0, currency: 'USD' },
    deployments: [{ status: 'active' }],
    developer: { name: model.family === 'gpt-image-2' ? 'OpenAI' : 'darkroom' },
    engine: {
      id: engine.engineId,
      description: engine.description,
      size_limits: engine.sizeLimits,
      capabilities: engine.capabilities,
    },
    ...(notice ? { notice } : {}),
    released_at: model.releasedAt,
    request_schema: requestSchema,
    json_request_schema: requestSchema,
  };
}
