import { GatewayError } from '../../domain/gateway-error.ts';

/** The most useful message in a WaveSpeed error body: the envelope's `message`, an `error` field, or the text. */
export function upstreamMessage(bodyText: string): string {
  let message = bodyText.trim();
  try {
    const parsed = JSON.parse(bodyText) as { message?: unknown; error?: unknown; data?: { error?: unknown } | null };
    const candidates = [parsed.data?.error, parsed.error, parsed.message];
    const found = candidates.find((candidate) => typeof candidate === 'string' && candidate.trim() !== '');
    if (typeof found === 'string') message = found.trim();
  } catch {
    // Not JSON (a proxy's HTML page, say): the raw text is the message.
  }
  return message.length > 500 ? `${message.slice(0, 500)}…` : message || 'no details given';
}

/** A non-2xx answer from the WaveSpeed API as a GatewayError: 429/5xx retryable, other 4xx final. */
export function upstreamHttpError(status: number, bodyText: string, action: string, retryAfter?: number): GatewayError {
  const detail = `WaveSpeed answered HTTP ${status} when ${action}: ${upstreamMessage(bodyText)}`;
  const options = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter };
  if (status === 429) return new GatewayError('upstream_rate_limited', detail, options);
  if (status === 401 || status === 403) {
    return new GatewayError('upstream_error', `${detail} (check WAVESPEED_API_KEY and the WaveSpeed account)`, { retryable: false });
  }
  if (status >= 500) return new GatewayError('upstream_error', detail, options);
  return new GatewayError('upstream_error', detail, { retryable: false });
}

const contentPolicyWords = /\b(nsfw|safety|moderation|content policy|policy violation|inappropriate|sensitive)\b/i;

/** A task WaveSpeed reported as failed. Content-policy refusals are the client's to fix, so they say so. */
export function failedTaskError(taskId: string, error: string): GatewayError {
  const message = `WaveSpeed task ${taskId} failed: ${error.trim() || 'no reason given'}`;
  if (contentPolicyWords.test(error)) return new GatewayError('content_rejected', message);
  return new GatewayError('upstream_error', message, { retryable: false });
}
