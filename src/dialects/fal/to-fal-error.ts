import type { GatewayError, GatewayErrorCode } from '../../domain/gateway-error.ts';
import type { JsonObject, JsonValue } from '../../domain/json-value.ts';
import type { WireError } from '../shared/create-dialect-app.ts';

/** Errors about the input: fal answers these as 422 `{detail:[{loc, msg, type, url}]}` (model errors). */
const modelErrorTypes: Partial<Record<GatewayErrorCode, string>> = {
  invalid_request: 'value_error',
  unsupported_media_type: 'image_load_error',
  unsupported_operation: 'feature_not_supported',
  content_rejected: 'content_policy_violation',
};

/** Everything else is a request error: `{detail, error_type}` + `X-Fal-Error-Type` (fal's request-errors page). */
const requestErrorTypes: Record<GatewayErrorCode, string> = {
  invalid_request: 'bad_request',
  unsupported_media_type: 'bad_request',
  unsupported_operation: 'bad_request',
  content_rejected: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  payload_too_large: 'request_too_large',
  conflict: 'bad_request',
  payment_required: 'payment_required',
  rate_limited: 'rate_limited',
  upstream_rate_limited: 'rate_limited',
  queue_full: 'runner_scheduling_failure',
  upstream_error: 'runner_server_error',
  timeout: 'request_timeout',
  cancelled: 'client_cancelled',
  internal: 'internal_error',
};

/** fal's client retries 502 on result fetches, which cannot change a finished failure; fal answers 500 here. */
const statusOverrides: Partial<Record<GatewayErrorCode, number>> = { upstream_error: 500 };

/** darkroom-internal field names that fal clients know by another name. */
const fieldAliases: Record<string, string> = { input_image: 'image_urls', mask: 'mask_url' };

/** Field-less `invalid_request`s are about the request itself (e.g. the proxy header): 400 `bad_request`. */
const isModelError = (error: GatewayError): boolean =>
  (error.code === 'invalid_request' ? error.field !== undefined : error.code in modelErrorTypes) ||
  (error.code === 'payload_too_large' && error.field !== undefined && error.field !== 'body');

/** `image_urls.0` → `["body", "image_urls", 0]`. */
function locOf(field: string | undefined): JsonValue[] {
  if (!field || field === 'body') return ['body'];
  const [head = '', ...rest] = field.split('.');
  return ['body', fieldAliases[head] ?? head, ...rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part))];
}

/** GatewayError messages start with `field: `; fal's `msg` names the field in `loc` instead. */
const withoutFieldPrefix = (message: string, field: string | undefined): string =>
  field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;

const withUrl = (entry: JsonObject): JsonObject => ({ ...entry, url: `https://docs.fal.ai/errors/#${String(entry.type)}` });

/** The detail entries parseFalInput put on validation errors, when present. */
function detailEntries(details: JsonValue | undefined): JsonObject[] | undefined {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return undefined;
  const entries = details.detail;
  return Array.isArray(entries) ? (entries.filter((entry) => entry !== null && typeof entry === 'object' && !Array.isArray(entry)) as JsonObject[]) : undefined;
}

/** The machine-readable type fal clients see: `detail[0].type` for model errors, `error_type` otherwise. */
export function falErrorType(error: GatewayError): string {
  if (isModelError(error)) {
    const first = detailEntries(error.details)?.[0];
    return typeof first?.type === 'string' ? first.type : (modelErrorTypes[error.code] ?? 'file_too_large');
  }
  return requestErrorTypes[error.code];
}

/** darkroom's one error type as fal's wire error: model errors → 422 detail list, request errors → flat body + header. */
export function toFalError(error: GatewayError): WireError {
  if (isModelError(error)) {
    const detail = detailEntries(error.details) ?? [
      { loc: locOf(error.field), msg: withoutFieldPrefix(error.message, error.field), type: falErrorType(error) },
    ];
    return { status: 422, body: { detail: detail.map(withUrl) }, headers: { 'x-fal-retryable': 'false' } };
  }
  const status = statusOverrides[error.code] ?? error.status;
  const type = requestErrorTypes[error.code];
  const message = error.code === 'internal' ? 'Internal error' : error.message;
  return {
    status,
    body: { detail: message, error_type: type },
    headers: { 'X-Fal-Error-Type': type, 'x-fal-retryable': String(error.retryable) },
  };
}
