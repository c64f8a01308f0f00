import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import sharp from 'sharp';

/** How the fake fal queue answers; change it between tests. */
export type FakeFalBehaviour = {
  /** Status polls answered IN_QUEUE (the first) or IN_PROGRESS before COMPLETED. */
  pollsBeforeDone?: number;
  /** Never reaches COMPLETED (timeouts, cancellation). */
  neverComplete?: boolean;
  /** The next `count` submits fail with this status (counted down), then submits succeed. */
  failSubmits?: { count: number; status: number; retryAfter?: string; body?: unknown };
  /** The request fails: its status is COMPLETED with `error`, and the result endpoint answers this. */
  resultError?: { status: number; body: unknown };
  /** Output images as data URIs, as with `sync_mode`. */
  inlineOutputs?: boolean;
  /** Output format regardless of the requested one. */
  forceFormat?: 'png' | 'jpeg' | 'webp';
  outputSize?: { width: number; height: number };
};

export type RecordedFalRequest = { method: string; path: string; authorization: string | undefined; body: Record<string, unknown> | undefined };

export type FakeFalUpstream = {
  url: string;
  apiKey: string;
  behaviour: FakeFalBehaviour;
  requests: RecordedFalRequest[];
  close(): Promise<void>;
};

type QueuedRequest = { input: Record<string, unknown>; polls: number; cancelled: boolean };

async function readBody(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

/** A loopback fal queue API built from the reference (wire-formats.md §2): submit, status, result, cancel, files. */
export async function startFakeFalUpstream(behaviour: FakeFalBehaviour = {}, apiKey = 'test-fal-key'): Promise<FakeFalUpstream> {
  const queued = new Map<string, QueuedRequest>();
  const requests: RecordedFalRequest[] = [];
  const files = new Map<string, { data: Buffer; mediaType: string }>();
  let baseUrl = '';
  const state: FakeFalUpstream = { url: '', apiKey, behaviour, requests, close: () => Promise.resolve() };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0]!;
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      if (request.method === 'GET' && path.startsWith('/files/')) {
        const file = files.get(path.slice('/files/'.length));
        if (!file) return send(404, { detail: 'Not found' });
        return response.writeHead(200, { 'content-type': file.mediaType }).end(file.data);
      }
      const body = await readBody(request);
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', authorization: request.headers.authorization, body });
      if (request.headers.authorization !== `Key ${apiKey}`) return send(401, { detail: 'No user found for Key ID and Secret' });

      const match = /^\/([^/]+\/[^/]+)(?:\/.*)?\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
      const owner = path.split('/').slice(1, 3).join('/');
      if (!match && request.method === 'POST') {
        const failing = state.behaviour.failSubmits;
        if (failing && failing.count > 0) {
          failing.count -= 1;
          return send(failing.status, failing.body ?? { detail: 'Service unavailable' }, failing.retryAfter ? { 'retry-after': failing.retryAfter } : {});
        }
        const id = randomUUID();
        queued.set(id, { input: body ?? {}, polls: 0, cancelled: false });
        const responseUrl = `${baseUrl}/${owner}/requests/${id}`;
        return send(200, { status: 'IN_QUEUE', request_id: id, response_url: responseUrl, status_url: `${responseUrl}/status`, cancel_url: `${responseUrl}/cancel`, queue_position: 0 });
      }
      const entry = match ? queued.get(match[2]!) : undefined;
      if (!match || !entry) return send(404, { detail: 'Request not found' });
      const id = match[2]!;
      const urls = { response_url: `${baseUrl}/${owner}/requests/${id}`, status_url: `${baseUrl}/${owner}/requests/${id}/status`, cancel_url: `${baseUrl}/${owner}/requests/${id}/cancel` };

      if (match[3] === '/cancel' && request.method === 'PUT') {
        entry.cancelled = true;
        return send(202, { status: 'CANCELLATION_REQUESTED' });
      }
      const done = !state.behaviour.neverComplete && entry.polls >= (state.behaviour.pollsBeforeDone ?? 1);
      if (match[3] === '/status') {
        entry.polls += 1;
        const logs = [{ message: `step ${entry.polls}`, level: 'INFO', source: 'USER', timestamp: new Date().toISOString() }];
        if (!done && entry.polls === 1) return send(202, { status: 'IN_QUEUE', request_id: id, ...urls, queue_position: 2 });
        if (!done) return send(202, { status: 'IN_PROGRESS', request_id: id, ...urls, logs });
        const failure = state.behaviour.resultError;
        return send(200, { status: 'COMPLETED', request_id: id, ...urls, logs, metrics: { inference_time: 1.5 }, ...(failure ? { error: 'Invalid status code: 422', error_type: 'validation_error' } : {}) });
      }
      if (!done) return send(400, { detail: 'Request is still in progress' });
      if (state.behaviour.resultError) return send(state.behaviour.resultError.status, state.behaviour.resultError.body);
      const format = state.behaviour.forceFormat ?? (entry.input.output_format as 'png' | 'jpeg' | 'webp' | undefined) ?? 'png';
      const { width, height } = state.behaviour.outputSize ?? { width: 64, height: 48 };
      const images = [];
      for (let index = 0; index < Number(entry.input.num_images ?? 1); index += 1) {
        const data = await sharp({ create: { width, height, channels: 3, background: { r: 30 * index, g: 90, b: 160 } } }).toFormat(format).toBuffer();
        const name = `${id}-${index}.${format}`;
        files.set(name, { data, mediaType: `image/${format}` });
        const url = state.behaviour.inlineOutputs ? `data:image/${format};base64,${data.toString('base64')}` : `${baseUrl}/files/${name}`;
        images.push({ url, content_type: `image/${format}`, file_name: name, file_size: data.length, width, height });
      }
      return send(200, { images });
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  state.url = baseUrl;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
