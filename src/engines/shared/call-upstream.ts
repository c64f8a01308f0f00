import { GatewayError } from '../../domain/gateway-error.ts';

/** Waits, but stops at once (with the signal's reason) when the job is cancelled or times out. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const abortReason = (signal: AbortSignal): unknown =>
  signal.reason instanceof Error ? signal.reason : new GatewayError('cancelled', 'The request was cancelled');

/** `Retry-After` in whole seconds, capped at a minute; HTTP dates are ignored (backoff applies). */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (!header || !/^\s*\d{1,6}\s*$/.test(header)) return undefined;
  return Math.min(60, Number(header));
}

export type UpstreamCall = {
  /** Shown in errors: "Could not reach <upstreamName> at <url> when <action>". */
  upstreamName: string;
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string | undefined;
  action: string;
  /** Only for idempotent calls: a submit that failed on the network may already have been accepted. */
  retryNetworkErrors: boolean;
  /** Extra attempts after a retryable answer; the first delay doubles each time, with jitter. */
  maxRetries: number;
  retryBaseDelayMs: number;
  /** Per attempt, so a hung connection fails the attempt rather than holding the job to its deadline. */
  attemptTimeoutMs: number | undefined;
  signal: AbortSignal;
  /** A non-2xx answer as a GatewayError; retryable ones are retried (honouring `retryAfterSeconds`). */
  toHttpError(status: number, bodyText: string, action: string, retryAfter: number | undefined): GatewayError;
};

/** One upstream HTTP call with retries on 429/5xx (as `toHttpError` decides); resolves with the 2xx body text. */
export async function callUpstream(call: UpstreamCall): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const retryDelay = (afterSeconds?: number) =>
      afterSeconds !== undefined ? afterSeconds * 1000 : call.retryBaseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
    let response: Response;
    let text: string;
    try {
      response = await fetch(call.url, {
        method: call.method,
        headers: call.headers,
        ...(call.body !== undefined ? { body: call.body } : {}),
        signal: call.attemptTimeoutMs ? AbortSignal.any([call.signal, AbortSignal.timeout(call.attemptTimeoutMs)]) : call.signal,
      });
      text = await response.text();
    } catch (error) {
      if (call.signal.aborted) throw abortReason(call.signal);
      if (call.retryNetworkErrors && attempt < call.maxRetries) {
        await sleep(retryDelay(), call.signal);
        continue;
      }
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new GatewayError('upstream_error', `Could not reach ${call.upstreamName} at ${new URL(call.url).origin} when ${call.action}: ${reason}`, { cause: error });
    }
    if (!response.ok) {
      const error = call.toHttpError(response.status, text, call.action, retryAfterSeconds(response.headers.get('retry-after')));
      if (error.retryable && attempt < call.maxRetries) {
        await sleep(retryDelay(error.retryAfterSeconds), call.signal);
        continue;
      }
      throw error;
    }
    return text;
  }
}
