import { GatewayError } from '../../domain/gateway-error.ts';

type FalErrorBody = { detail?: unknown; error_type?: unknown; message?: unknown };

const truncate = (text: string): string => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

function parseBody(bodyText: string): FalErrorBody {
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as FalErrorBody) : {};
  } catch {
    return {};
  }
}

/** The first `detail[]` entry of a fal model error: its message, type and location (without the `body` prefix). */
function firstDetail(body: FalErrorBody): { msg: string; type: string; location: string } | undefined {
  if (!Array.isArray(body.detail)) return undefined;
  const entry = body.detail[0] as { msg?: unknown; type?: unknown; loc?: unknown } | undefined;
  if (!entry || typeof entry !== 'object') return undefined;
  const location = Array.isArray(entry.loc) ? entry.loc.filter((part) => part !== 'body').map(String).join('.') : '';
  return { msg: typeof entry.msg === 'string' ? entry.msg : 'invalid input', type: typeof entry.type === 'string' ? entry.type : 'value_error', location };
}

/**
 * A non-2xx fal answer as a GatewayError. Model errors (422 `detail[]`) are the client's to fix and keep fal's
 * message; 429 and 5xx are retryable; a rejected key is final and names `FAL_KEY`.
 */
export function falUpstreamError(status: number, bodyText: string, action: string, retryAfter?: number): GatewayError {
  const body = parseBody(bodyText);
  const detail = firstDetail(body);
  const options = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter };
  if (detail) {
    const where = detail.location ? ` (${detail.location})` : '';
    const message = `fal rejected the request${where}: ${truncate(detail.msg)}`;
    if (detail.type === 'content_policy_violation') return new GatewayError('content_rejected', message);
    // The field is fal's name for it; still the best pointer a client gets to what was wrong.
    return new GatewayError('invalid_request', message, { field: detail.location || 'body', details: { upstream: 'fal', type: detail.type } });
  }
  const reason = typeof body.detail === 'string' ? body.detail : typeof body.message === 'string' ? body.message : bodyText.trim() || 'no details given';
  const errorType = typeof body.error_type === 'string' ? ` [${body.error_type}]` : '';
  const message = `fal answered HTTP ${status}${errorType} when ${action}: ${truncate(reason)}`;
  if (status === 429) return new GatewayError('upstream_rate_limited', message, options);
  if (status === 401 || status === 403) return new GatewayError('upstream_error', `${message} (check FAL_KEY)`, { retryable: false });
  if (status === 504 && body.error_type === 'request_timeout') return new GatewayError('timeout', message);
  if (status >= 500) return new GatewayError('upstream_error', message, options);
  return new GatewayError('upstream_error', message, { retryable: false });
}
