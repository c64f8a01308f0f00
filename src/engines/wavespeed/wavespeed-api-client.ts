import { GatewayError } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { WaveSpeedTask } from './to-wavespeed-input.ts';
import { retryAfterSeconds, upstreamHttpError } from './wavespeed-upstream-error.ts';

/** The part of WaveSpeed's prediction object the engine acts on. */
export type WaveSpeedPrediction = { id: string; status: string; outputs: string[]; error: string };

export type WaveSpeedApiClientOptions = {
  apiKey: string;
  /** Without a trailing slash, e.g. https://api.wavespeed.ai. */
  baseUrl: string;
  /** Extra attempts after a 429/5xx (and, for polls, a network error). */
  maxRetries: number;
  /** First retry delay; doubles each time, with jitter. `Retry-After` wins when the server sends it. */
  retryBaseDelayMs: number;
};

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

/**
 * The two WaveSpeed API v3 calls the engine makes, against the operator-configured base URL (trusted
 * configuration, so not routed through the SSRF guard that protects client- and upstream-supplied URLs).
 */
export class WaveSpeedApiClient {
  constructor(private readonly options: WaveSpeedApiClientOptions) {}

  /** `POST /api/v3/{model}` → the task id. Network errors are not retried: the task may already exist. */
  async submit(task: WaveSpeedTask, signal: AbortSignal): Promise<string> {
    const data = await this.call('POST', `/api/v3/${task.modelPath}`, task.body, `submitting to ${task.modelPath}`, false, signal);
    if (typeof data.id !== 'string' || data.id === '') {
      throw new GatewayError('upstream_error', `WaveSpeed accepted the task for ${task.modelPath} but returned no task id`);
    }
    return data.id;
  }

  /** `GET /api/v3/predictions/{id}/result` (idempotent, so network errors are retried too). */
  async result(taskId: string, signal: AbortSignal): Promise<WaveSpeedPrediction> {
    const data = await this.call('GET', `/api/v3/predictions/${encodeURIComponent(taskId)}/result`, undefined, `polling task ${taskId}`, true, signal);
    const outputs = Array.isArray(data.outputs) ? data.outputs.filter((output): output is string => typeof output === 'string') : [];
    return {
      id: taskId,
      status: typeof data.status === 'string' ? data.status : 'processing',
      outputs,
      error: typeof data.error === 'string' ? data.error : '',
    };
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: JsonObject | undefined,
    action: string,
    retryNetworkErrors: boolean,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { apiKey, baseUrl, maxRetries, retryBaseDelayMs } = this.options;
    for (let attempt = 0; ; attempt += 1) {
      const retryDelay = (afterSeconds?: number) => afterSeconds !== undefined ? afterSeconds * 1000 : retryBaseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
      let response: Response;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        if (retryNetworkErrors && attempt < maxRetries) {
          await sleep(retryDelay(), signal);
          continue;
        }
        const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
        throw new GatewayError('upstream_error', `Could not reach WaveSpeed at ${baseUrl} when ${action}: ${reason}`, { cause: error });
      }
      const text = await response.text();
      if (!response.ok) {
        const error = upstreamHttpError(response.status, text, action, retryAfterSeconds(response.headers.get('retry-after')));
        if (error.retryable && attempt < maxRetries) {
          await sleep(retryDelay(error.retryAfterSeconds), signal);
          continue;
        }
        throw error;
      }
      return parseEnvelope(text, action);
    }
  }
}

/** `{code, message, data}` → data; an envelope whose `code` is not 200 is an error even on HTTP 200. */
function parseEnvelope(text: string, action: string): Record<string, unknown> {
  let envelope: { code?: unknown; data?: unknown };
  try {
    envelope = JSON.parse(text) as { code?: unknown; data?: unknown };
  } catch {
    throw new GatewayError('upstream_error', `WaveSpeed answered with something other than JSON when ${action}`);
  }
  if (typeof envelope.code === 'number' && envelope.code !== 200) throw upstreamHttpError(envelope.code, text, action);
  if (typeof envelope.data !== 'object' || envelope.data === null) {
    throw new GatewayError('upstream_error', `WaveSpeed's answer had no data object when ${action}`);
  }
  return envelope.data as Record<string, unknown>;
}
