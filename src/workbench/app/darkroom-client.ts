import { GatewayError, type GatewayErrorCode } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { Generation, GenerationEvent, ImagesResponse, ModelInfo } from './api-types.ts';
import { readServerSentEvents } from './server-sent-events.ts';

export type DarkroomClientOptions = {
  /** Server origin (and path prefix), without a trailing slash; '' = same origin (the Workbench). */
  baseUrl: string;
  apiKey: () => string | undefined;
  /**
   * Called when the server answers 401; resolve true once a (new) key is available to retry with.
   * The Workbench asks the user; the CLI has nobody to ask.
   */
  onUnauthorized?: (message: string) => Promise<boolean>;
  fetch?: typeof fetch;
};

export type GenerationListQuery = { status?: 'all' | Generation['status']; limit?: number; before?: string; model?: string };

/**
 * The Oxen-dialect API as the Workbench and the CLI use it. Runs in browsers and in Node (fetch + streams);
 * every failure is a GatewayError carrying the server's own message, status and field.
 */
export class DarkroomClient {
  constructor(private readonly options: DarkroomClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  listModels(): Promise<ModelInfo[]> {
    return this.request<{ data: ModelInfo[] }>('GET', '/api/ai/models').then((list) => list.data);
  }

  getModel(modelId: string): Promise<ModelInfo> {
    return this.request('GET', `/api/ai/models/${encodeURIComponent(modelId)}`);
  }

  /** `POST /api/ai/queue`; resolves with the new generation ids. */
  async enqueue(body: JsonObject, signal?: AbortSignal): Promise<string[]> {
    const answer = await this.request<{ generations: Array<{ generation_id: string }> }>('POST', '/api/ai/queue', body, signal);
    return answer.generations.map((generation) => generation.generation_id);
  }

  /** Sync generate/edit; the job id comes from the `x-darkroom-job-id` header when the server sends it. */
  async runSync(path: string, body: JsonObject, signal?: AbortSignal): Promise<{ images: ImagesResponse; jobId: string | undefined }> {
    const response = await this.send('POST', path, body, signal);
    return { images: (await response.json()) as ImagesResponse, jobId: response.headers.get('x-darkroom-job-id') ?? undefined };
  }

  getGeneration(generationId: string, signal?: AbortSignal): Promise<Generation> {
    return this.request('GET', `/api/ai/queue/${encodeURIComponent(generationId)}`, undefined, signal);
  }

  async listGenerations(query: GenerationListQuery = {}): Promise<Generation[]> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const suffix = search.toString() ? `?${search.toString()}` : '';
    return (await this.request<{ generations: Generation[] }>('GET', `/api/ai/queue${suffix}`)).generations;
  }

  cancel(generationId: string): Promise<{ status: string; generation_status?: string }> {
    return this.request('DELETE', `/api/ai/queue/${encodeURIComponent(generationId)}`);
  }

  /**
   * Streams `GET /api/events` until the signal aborts or the server ends the stream. Resolves once the
   * stream is open (`opened`) and again when it ends (`ended`), so callers can subscribe before submitting.
   */
  async streamEvents(
    onEvent: (event: GenerationEvent) => void,
    options: { signal: AbortSignal; lastEventId?: string },
  ): Promise<{ ended: Promise<void> }> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const response = await this.send('GET', '/api/events', undefined, options.signal, headers);
    if (!response.body) throw new GatewayError('upstream_error', 'The event stream has no body');
    const ended = readServerSentEvents(response.body, (message) => {
      let data: GenerationEvent['data'];
      try {
        data = JSON.parse(message.data) as GenerationEvent['data'];
      } catch {
        return;
      }
      onEvent({ event: message.event ?? 'message', id: message.id, data });
    }).catch((error: unknown) => {
      if (!options.signal.aborted) throw toClientError(error, this.options.baseUrl);
    });
    return { ended };
  }

  async request<T>(method: string, path: string, body?: JsonObject, signal?: AbortSignal): Promise<T> {
    const response = await this.send(method, path, body, signal);
    return (await response.json()) as T;
  }

  /** One HTTP exchange with auth, retried once after `onUnauthorized` supplies a key. */
  async send(method: string, path: string, body?: JsonObject, signal?: AbortSignal, extraHeaders: Record<string, string> = {}): Promise<Response> {
    const fetchImplementation = this.options.fetch ?? fetch;
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = { ...extraHeaders };
      const key = this.options.apiKey();
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetchImplementation(`${this.options.baseUrl}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw toClientError(error, this.options.baseUrl);
      }
      if (response.ok) return response;
      const error = await errorFromResponse(response);
      if (response.status === 401 && attempt < 3 && this.options.onUnauthorized && (await this.options.onUnauthorized(error.message))) continue;
      throw error;
    }
  }
}

const knownCodes = new Set<string>([
  'invalid_request', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'unsupported_media_type', 'conflict',
  'rate_limited', 'queue_full', 'upstream_error', 'upstream_rate_limited', 'content_rejected', 'unsupported_operation',
  'timeout', 'cancelled', 'internal',
] satisfies GatewayErrorCode[]);

function codeForStatus(status: number): GatewayErrorCode {
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'queue_full';
  if (status === 504) return 'timeout';
  return status >= 500 ? 'upstream_error' : 'invalid_request';
}

/** Any dialect's error envelope (Oxen `{error:{detail,title}}`, OpenAI `{error:{message}}`) → GatewayError. */
export async function errorFromResponse(response: Response): Promise<GatewayError> {
  const text = await response.text().catch(() => '');
  let envelope: { error?: { detail?: unknown; title?: unknown; message?: unknown; code?: unknown; field?: unknown; param?: unknown } | string; detail?: unknown } = {};
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    // Not JSON (a proxy's HTML page): the status line is all there is.
  }
  const error = typeof envelope.error === 'object' ? envelope.error : undefined;
  const message =
    [error?.detail, error?.message, error?.title, envelope.error, envelope.detail].find((value): value is string => typeof value === 'string' && value !== '') ??
    `${response.status} ${response.statusText || 'error'}`.trim();
  const code = typeof error?.code === 'string' && knownCodes.has(error.code) ? (error.code as GatewayErrorCode) : codeForStatus(response.status);
  const field = [error?.field, error?.param].find((value): value is string => typeof value === 'string');
  const retryAfter = Number(response.headers.get('retry-after'));
  return new GatewayError(code, message, {
    status: response.status,
    ...(field ? { field } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  });
}

/** Network failures (refused, DNS, reset) say which server could not be reached and why. */
function toClientError(error: unknown, baseUrl: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new GatewayError('cancelled', 'The request was cancelled', { cause: error });
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const reason = (cause && 'code' in cause ? String(cause.code) : undefined) ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new GatewayError('upstream_error', `Cannot reach darkroom at ${baseUrl || 'this page\'s server'} (${reason})`, {
    status: 502,
    cause: error,
    details: { unreachable: true },
  });
}

/** True for errors where no HTTP answer came back at all (refused, DNS, reset). */
export const isUnreachable = (error: GatewayError): boolean =>
  typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details) && error.details.unreachable === true;
