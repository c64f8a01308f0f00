import { GatewayError } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { WaveSpeedTask } from './to-wavespeed-input.ts';
import { callUpstream } from '../shared/call-upstream.ts';
import { upstreamHttpError } from './wavespeed-upstream-error.ts';

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
    const text = await callUpstream({
      upstreamName: 'WaveSpeed',
      url: `${baseUrl}${path}`,
      method,
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      action,
      retryNetworkErrors,
      maxRetries,
      retryBaseDelayMs,
      attemptTimeoutMs: undefined,
      signal,
      toHttpError: upstreamHttpError,
    });
    return parseEnvelope(text, action);
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
