import { GatewayError } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import { callUpstream } from '../shared/call-upstream.ts';
import { falUpstreamError } from './fal-upstream-error.ts';

/** One HTTP call to fal, body included; submits carry every input image inline. */
const callTimeoutMs = 120_000;

export type FalQueueClientOptions = {
  apiKey: string;
  /** Without a trailing slash, e.g. https://queue.fal.run. */
  queueUrl: string;
  /** Extra attempts after a 429/5xx (and, for idempotent calls, a network error). */
  maxRetries: number;
  /** First retry delay; doubles each time, with jitter. `Retry-After` wins when the server sends it. */
  retryBaseDelayMs: number;
};

/** The part of fal's queue status the engine acts on. */
export type FalUpstreamStatus = { status: string; queuePosition: number | undefined; lastLog: string | undefined; error: string | undefined };

/**
 * fal's queue API as the engine uses it, against the operator-configured base (trusted configuration, so not
 * the SSRF guard). Status, result and cancel URLs are built here from `owner/alias`, never taken from fal's
 * answer, so the key is only ever sent to the configured host.
 */
export class FalQueueClient {
  constructor(private readonly options: FalQueueClientOptions) {}

  /** `POST /{app}` → the request id. Network errors are not retried: the request may already be queued. */
  async submit(appId: string, body: JsonObject, signal: AbortSignal): Promise<string> {
    const answer = await this.call('POST', `/${appId}`, body, `submitting to ${appId}`, false, signal);
    if (typeof answer.request_id !== 'string' || answer.request_id === '') {
      throw new GatewayError('upstream_error', `fal accepted the request for ${appId} but returned no request_id`);
    }
    return answer.request_id;
  }

  async status(ownerAlias: string, requestId: string, signal: AbortSignal): Promise<FalUpstreamStatus> {
    const answer = await this.call('GET', `/${ownerAlias}/requests/${encodeURIComponent(requestId)}/status?logs=1`, undefined, `polling request ${requestId}`, true, signal);
    const logs = Array.isArray(answer.logs) ? answer.logs : [];
    const last = logs.at(-1) as { message?: unknown } | undefined;
    return {
      status: typeof answer.status === 'string' ? answer.status : 'IN_PROGRESS',
      queuePosition: typeof answer.queue_position === 'number' ? answer.queue_position : undefined,
      lastLog: typeof last?.message === 'string' ? last.message : undefined,
      error: typeof answer.error === 'string' ? answer.error : undefined,
    };
  }

  /** The app output; a failed request answers its real error here (fal's 422 `detail[]`), thrown as a GatewayError. */
  async result(ownerAlias: string, requestId: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    return this.call('GET', `/${ownerAlias}/requests/${encodeURIComponent(requestId)}`, undefined, `fetching the result of ${requestId}`, true, signal);
  }

  /** Best effort: a job that is cancelled or timed out here should stop costing money upstream too. */
  async cancel(ownerAlias: string, requestId: string): Promise<void> {
    await fetch(`${this.options.queueUrl}/${ownerAlias}/requests/${encodeURIComponent(requestId)}/cancel`, {
      method: 'PUT',
      headers: { authorization: `Key ${this.options.apiKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    }).then((response) => response.body?.cancel(), () => undefined);
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: JsonObject | undefined,
    action: string,
    retryNetworkErrors: boolean,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { apiKey, queueUrl, maxRetries, retryBaseDelayMs } = this.options;
    const text = await callUpstream({
      upstreamName: 'fal',
      url: `${queueUrl}${path}`,
      method,
      headers: { authorization: `Key ${apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      action,
      retryNetworkErrors,
      maxRetries,
      retryBaseDelayMs,
      attemptTimeoutMs: callTimeoutMs,
      signal,
      toHttpError: falUpstreamError,
    });
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Falls through to the error below.
    }
    throw new GatewayError('upstream_error', `fal answered with something other than a JSON object when ${action}`);
  }
}
