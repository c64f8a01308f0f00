import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import sharp from 'sharp';
import { parseAspectRatio, sizeForTier, type ResolutionTier } from '../../src/domain/size-rules.ts';

export type RecordedWaveSpeedRequest = { method: string; path: string; authorization: string | undefined; body: Record<string, unknown> | undefined };

export type FakeWaveSpeedBehaviour = {
  /** `processing` answers before a task completes. */
  pollsBeforeDone?: number;
  /** Tasks end `failed` with this error. */
  failTaskWith?: string;
  /** Tasks never finish (for timeouts and cancellation). */
  neverFinish?: boolean;
  /** HTTP statuses answered to submits before one is accepted, in order. */
  submitStatuses?: number[];
  /** HTTP statuses answered to polls before one is served, in order. */
  pollStatuses?: number[];
  /** Sent as `Retry-After` with 429s. */
  retryAfterSeconds?: number;
  outputFormat?: 'png' | 'jpeg';
};

type Task = { id: string; model: string; body: Record<string, unknown>; polls: number; output: Buffer | undefined };

/**
 * A WaveSpeed API v3 stand-in on loopback, built from the reference (§3): submit returns the `created`
 * envelope, `/result` reports processing then completed/failed, and outputs are served as real images whose
 * size follows `aspect_ratio` (default: the first input's) and `resolution`. Every request is recorded.
 */
export async function startFakeWaveSpeedUpstream(options: { apiKey: string }) {
  const requests: RecordedWaveSpeedRequest[] = [];
  const tasks = new Map<string, Task>();
  const state = { behaviour: {} as FakeWaveSpeedBehaviour, baseUrl: '' };

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const prediction = (task: Task, status: string, outputs: string[], error = '') => ({
    code: 200,
    message: 'success',
    data: {
      id: task.id,
      model: task.model,
      outputs,
      urls: { get: `${state.baseUrl}/api/v3/predictions/${task.id}/result` },
      has_nsfw_contents: outputs.map(() => false),
      status,
      created_at: new Date().toISOString(),
      error,
      timings: { inference: status === 'completed' ? 1234 : 0 },
    },
  });
  const takeStatus = (list: number[] | undefined, response: ServerResponse): boolean => {
    const status = list?.shift();
    if (status === undefined) return false;
    const headers: Record<string, string> = status === 429 && state.behaviour.retryAfterSeconds !== undefined ? { 'retry-after': String(state.behaviour.retryAfterSeconds) } : {};
    send(response, status, { code: status, message: `fake upstream answered ${status}`, data: null }, headers);
    return true;
  };

  async function render(task: Task): Promise<Buffer> {
    const tier = String(task.body.resolution ?? '1k').toUpperCase() as ResolutionTier;
    let ratio = parseAspectRatio(String(task.body.aspect_ratio ?? '')) ?? 1;
    const first = (task.body.images as string[] | undefined)?.[0];
    if (task.body.aspect_ratio === undefined && first?.startsWith('data:')) {
      const metadata = await sharp(Buffer.from(first.slice(first.indexOf(',') + 1), 'base64')).metadata();
      ratio = metadata.width / metadata.height;
    }
    const size = sizeForTier(tier, ratio);
    const image = sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: 10, g: 160, b: 90 } } });
    return state.behaviour.outputFormat === 'jpeg' ? image.jpeg().toBuffer() : image.png().toBuffer();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (request.url ?? '').split('?')[0] ?? '';
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body });

    const output = /^\/outputs\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && output) {
      const task = tasks.get(output[1] ?? '');
      if (!task?.output) return send(response, 404, { code: 404, message: 'no such output', data: null });
      response.writeHead(200, { 'content-type': state.behaviour.outputFormat === 'jpeg' ? 'image/jpeg' : 'image/png' }).end(task.output);
      return;
    }
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) return send(response, 401, { code: 401, message: 'Invalid API key', data: null });

    const submit = /^\/api\/v3\/(openai\/gpt-image-2\/(?:edit|text-to-image))$/.exec(path);
    if (request.method === 'POST' && submit) {
      if (takeStatus(state.behaviour.submitStatuses, response)) return;
      const task: Task = { id: randomUUID().replaceAll('-', ''), model: submit[1] ?? '', body: body ?? {}, polls: 0, output: undefined };
      tasks.set(task.id, task);
      return send(response, 200, prediction(task, 'created', []));
    }
    const result = /^\/api\/v3\/predictions\/([^/]+)\/result$/.exec(path);
    if (request.method === 'GET' && result) {
      const task = tasks.get(result[1] ?? '');
      if (!task) return send(response, 404, { code: 404, message: 'prediction not found', data: null });
      if (takeStatus(state.behaviour.pollStatuses, response)) return;
      task.polls += 1;
      if (state.behaviour.neverFinish || task.polls <= (state.behaviour.pollsBeforeDone ?? 1)) return send(response, 200, prediction(task, 'processing', []));
      if (state.behaviour.failTaskWith !== undefined) return send(response, 200, prediction(task, 'failed', [], state.behaviour.failTaskWith));
      task.output ??= await render(task);
      return send(response, 200, prediction(task, 'completed', [`${state.baseUrl}/outputs/${task.id}`]));
    }
    send(response, 404, { code: 404, message: `no route for ${request.method} ${path}`, data: null });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { code: 500, message: String(error), data: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    baseUrl: state.baseUrl,
    requests,
    set behaviour(behaviour: FakeWaveSpeedBehaviour) {
      state.behaviour = behaviour;
    },
    /** Submits recorded so far (their JSON bodies). */
    submits: () => requests.filter((entry) => entry.method === 'POST'),
    polls: () => requests.filter((entry) => entry.path.endsWith('/result')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeWaveSpeedUpstream = Awaited<ReturnType<typeof startFakeWaveSpeedUpstream>>;
