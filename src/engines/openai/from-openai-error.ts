import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { JsonValue } from '../../domain/json-value.ts';

export type UpstreamErrorContext = {
  /** How messages name the upstream: `OpenAI`, or `the localai engine`. */
  upstreamName: string;
  timeoutMs: number;
  /** Strings that must never appear in a stored message (the API key used). */
  secrets: string[];
};

const contentRejectionCodes = new Set(['moderation_blocked', 'content_policy_violation', 'image_content_policy_violation']);

/**
 * Whatever the `openai` SDK threw → GatewayError. The SDK has already retried 408/409/429/5xx and connection
 * failures (`maxRetries`), so what arrives here is final for this attempt; `retryable` tells the job runner
 * whether a later attempt may succeed.
 */
export function fromOpenAiError(error: unknown, context: UpstreamErrorContext): GatewayError {
  if (error instanceof GatewayError) return error;
  const { upstreamName } = context;
  const redact = (text: string) => context.secrets.reduce((result, secret) => (secret ? result.split(secret).join('[redacted]') : result), text);

  if (error instanceof APIUserAbortError) return new GatewayError('cancelled', 'The upstream call was cancelled', { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new GatewayError('timeout', `${upstreamName} did not answer within ${Math.round(context.timeoutMs / 1000)} s`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new GatewayError('upstream_error', `Could not reach ${upstreamName}: ${redact(error.message)}`, { cause: error });
  }
  if (!(error instanceof APIError)) {
    // A body that is not JSON, or JSON of the wrong shape, surfaces as a parse or type error.
    const detail = error instanceof Error ? redact(error.message) : 'unreadable response';
    return new GatewayError('upstream_error', `${upstreamName} sent a malformed response (${detail})`, { cause: error });
  }

  const body = isRecord(error.error) ? error.error : {};
  const upstreamMessage = redact(typeof body.message === 'string' ? body.message : error.message);
  const status = error.status;
  if (typeof error.code === 'string' && contentRejectionCodes.has(error.code)) {
    return new GatewayError('content_rejected', `${upstreamName} rejected the request on content grounds: ${upstreamMessage}`, {
      cause: error,
      details: moderationDetails(body.moderation_details),
    });
  }
  if (status === 401 || status === 403) {
    // The upstream message may echo part of the key, so it is left out.
    const whose = upstreamName === 'OpenAI' ? 'The OpenAI key' : `The API key for ${upstreamName}`;
    return new GatewayError('upstream_error', `${whose} was rejected (HTTP ${status}); check the configured or per-request key`, {
      retryable: false,
      cause: error,
    });
  }
  if (status === 429) {
    const retryAfterSeconds = retryAfter(error.headers);
    return new GatewayError('upstream_rate_limited', `${upstreamName} is rate limiting requests: ${upstreamMessage}`, {
      cause: error,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (status === undefined || status >= 500 || status === 408 || status === 409) {
    // No status: an error event in the middle of a stream.
    if (status === undefined && body.type === 'invalid_request_error') {
      return new GatewayError('invalid_request', `${upstreamName} rejected the request: ${upstreamMessage}`, { cause: error });
    }
    return new GatewayError('upstream_error', `${upstreamName} failed${status ? ` (HTTP ${status})` : ''}: ${upstreamMessage}`, { cause: error });
  }
  const param = typeof body.param === 'string' ? body.param : undefined;
  return new GatewayError('invalid_request', `${upstreamName} rejected the request${param ? ` (${param})` : ''}: ${upstreamMessage}`, {
    cause: error,
    ...(param ? { details: { upstream_param: param } } : {}),
  });
}

function moderationDetails(value: unknown): JsonValue {
  const details = isRecord(value) ? value : {};
  const categories = Array.isArray(details.categories) ? details.categories.filter((entry): entry is string => typeof entry === 'string') : [];
  const stage = typeof details.moderation_stage === 'string' ? details.moderation_stage : null;
  return { categories, moderation_stage: stage };
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds / 1000);
  const seconds = Number(headers?.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
