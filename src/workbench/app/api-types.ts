import type { JsonObject, JsonValue } from '../../domain/json-value.ts';

/** The subset of JSON Schema that zod's `toJSONSchema` emits for request bodies. */
export type JsonSchema = {
  type?: string | string[];
  enum?: JsonValue[];
  const?: JsonValue;
  default?: JsonValue;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** A model from `GET /api/ai/models` (Oxen's model object; only the fields the clients read). */
export type ModelInfo = {
  id: string;
  display_name?: string;
  description?: string;
  endpoint?: string;
  notice?: string;
  developer?: { name?: string };
  engine?: { id?: string; capabilities?: { partialImages?: boolean; mask?: boolean } };
  pricing?: { cost_per_image?: number; currency?: string };
  request_schema?: JsonSchema;
};

export type GenerationStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

/** A generation from `GET /api/ai/queue[/:id]`: fixed fields plus every submitted parameter, echoed. */
export type Generation = JsonObject & {
  generation_id: string;
  model_name: string;
  prompt: string;
  status: GenerationStatus;
  result_url: string | null;
  result_urls?: string[];
  error_message: string | null;
  enqueued_at: number | null;
  started_at: number | null;
  completed_at: number | null;
};

/** Sync `POST /api/ai/images/generate|edit` answer. */
export type ImagesResponse = { model: string; created: number; images: Array<{ url?: string; b64_json?: string }> };

/** A message from `GET /api/events`, already parsed. */
export type GenerationEvent = {
  event: string;
  id: string | undefined;
  data: {
    generation_id?: string;
    status?: GenerationStatus;
    model?: string;
    url?: string | null;
    urls?: string[];
    index?: number;
    error?: string;
    message?: string | null;
    fraction?: number | null;
  };
};

export const isTerminalStatus = (status: GenerationStatus): boolean => status === 'succeeded' || status === 'failed' || status === 'cancelled';
