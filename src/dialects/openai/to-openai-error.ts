import type { GatewayError, GatewayErrorCode } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { WireError } from '../shared/create-dialect-app.ts';

type OpenAiErrorKind = { type: string; code: string; status?: number };

/**
 * OpenAI's `type` and `code` per darkroom code. Statuses stay darkroom's (the SDK picks its error class from
 * them: 400 BadRequest, 401 Authentication, 404 NotFound, 429 RateLimit, ≥500 InternalServer), except that an
 * unreadable image is a 400 as OpenAI answers it, not a 415 the SDK has no class for.
 */
const kinds: Record<GatewayErrorCode, OpenAiErrorKind> = {
  invalid_request: { type: 'invalid_request_error', code: 'invalid_value' },
  unauthorized: { type: 'authentication_error', code: 'invalid_api_key' },
  forbidden: { type: 'permission_error', code: 'forbidden' },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  payload_too_large: { type: 'invalid_request_error', code: 'payload_too_large' },
  unsupported_media_type: { type: 'invalid_request_error', code: 'invalid_image_format', status: 400 },
  conflict: { type: 'invalid_request_error', code: 'conflict' },
  payment_required: { type: 'insufficient_quota', code: 'insufficient_quota' },
  rate_limited: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  queue_full: { type: 'server_error', code: 'queue_full' },
  upstream_error: { type: 'server_error', code: 'upstream_error' },
  upstream_rate_limited: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  content_rejected: { type: 'image_generation_user_error', code: 'moderation_blocked' },
  unsupported_operation: { type: 'invalid_request_error', code: 'unsupported_operation' },
  timeout: { type: 'server_error', code: 'timeout' },
  cancelled: { type: 'invalid_request_error', code: 'cancelled' },
  internal: { type: 'server_error', code: 'internal_error' },
};

/** `images.0.image_url` → `images[0].image_url`, the way OpenAI names nested parameters. */
export const toOpenAiParam = (field: string): string => field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

/** The `{error:{message,type,param,code}}` object alone, as streams send it after `event: error`. */
export function toOpenAiErrorObject(error: GatewayError): JsonObject {
  const kind = kinds[error.code];
  const body: JsonObject = {
    message: error.message,
    type: kind.type,
    param: error.field === undefined ? null : toOpenAiParam(error.field),
    code: error.code === 'not_found' && error.field === 'model' ? 'model_not_found' : kind.code,
  };
  if (error.code === 'content_rejected' && error.details !== undefined) body.moderation_details = error.details;
  return { error: body };
}

/**
 * The one mapping from GatewayError to OpenAI's error response. `x-should-retry` tells the SDK whether its
 * automatic retries (on by default for 409/429/5xx) make sense, so a failed generation is not run three times.
 */
export function toOpenAiError(error: GatewayError): WireError {
  return {
    status: kinds[error.code].status ?? error.status,
    body: toOpenAiErrorObject(error),
    headers: { 'x-should-retry': String(error.retryable) },
  };
}
