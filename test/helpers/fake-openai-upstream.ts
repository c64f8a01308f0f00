import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import sharp from 'sharp';

/**
 * A stand-in for OpenAI's Images API (wire-formats.md §1) on 127.0.0.1: `/v1/images/generations` (JSON) and
 * `/v1/images/edits` (multipart and JSON), b64 images of the requested size and count, SSE streaming with
 * partial images, every request recorded, and faults injected one per request.
 */

export type FakeOpenAiFault =
  | { kind: 'rate-limit'; retryAfter?: string; retryAfterMs?: string }
  | { kind: 'server-error'; status?: number; retryAfterMs?: string }
  | { kind: 'hang' }
  | { kind: 'moderation-blocked'; categories: string[]; stage: 'input' | 'output' }
  /** One partial image, then an `event: error` carrying moderation_blocked (output stage). */
  | { kind: 'stream-moderation-blocked'; categories: string[] }
  | { kind: 'malformed' }
  | { kind: 'not-an-image' }
  | { kind: 'unauthorized' }
  | { kind: 'bad-request'; message: string; param?: string }
  /** Answers with `data[].url` pointing at this server's `/files/…` instead of b64_json. */
  | { kind: 'url-response' };

export type RecordedFile = { field: string; filename: string; contentType: string; data: Uint8Array };

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyKind: 'json' | 'multipart' | 'other';
  json: Record<string, unknown> | undefined;
  /** Multipart text fields in arrival order (a name may repeat). */
  fields: Array<{ name: string; value: string }>;
  files: RecordedFile[];
  fault: FakeOpenAiFault | undefined;
  /** Set when the client closed the connection before a response was complete (cancellation, timeout). */
  closedEarly: boolean;
  /** `Date.now()` when the request arrived (retry delays are checked against it). */
  receivedAt: number;
};

export type FakeOpenAiUpstream = {
  /** `http://127.0.0.1:<port>/v1`, what OPENAI_BASE_URL / baseUrl should be. */
  baseUrl: string;
  origin: string;
  requests: RecordedRequest[];
  /** Faults applied in order, one per images request; requests after the last fault succeed. */
  faults: FakeOpenAiFault[];
  /** Resolves with the request once `count` image requests have arrived. */
  waitForRequests(count: number): Promise<RecordedRequest>;
  /** Resolves when a request's connection closes before its response was complete. */
  waitForEarlyClose(request: RecordedRequest): Promise<void>;
  close(): Promise<void>;
};

const generationFields = new Set(['prompt', 'model', 'n', 'quality', 'response_format', 'output_format', 'output_compression', 'stream', 'partial_images', 'size', 'moderation', 'background', 'style', 'user', 'safety_identifier', 'complexity']);
const multipartEditFields = new Set(['image', 'image[]', 'mask', 'prompt', 'model', 'n', 'size', 'quality', 'background', 'output_format', 'output_compression', 'user', 'input_fidelity', 'stream', 'partial_images', 'moderation', 'response_format', 'safety_identifier', 'complexity']);
const jsonEditFields = new Set(['images', 'mask', 'prompt', 'model', 'n', 'size', 'quality', 'background', 'output_format', 'output_compression', 'user', 'input_fidelity', 'stream', 'partial_images', 'moderation', 'safety_identifier', 'complexity']);

class UpstreamError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null, readonly code: string | null = null) {
    super(message);
  }
}

type ImagesCall = {
  operation: 'generation' | 'edit';
  params: Record<string, unknown>;
  inputs: Uint8Array[];
  mask: Uint8Array | undefined;
};

export async function startFakeOpenAiUpstream(): Promise<FakeOpenAiUpstream> {
  const requests: RecordedRequest[] = [];
  const faults: FakeOpenAiFault[] = [];
  const files = new Map<string, Uint8Array>();
  const arrivals: Array<() => void> = [];
  const earlyCloses = new Map<RecordedRequest, Array<() => void>>();
  let origin = '';

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, new UpstreamError(500, `fake upstream crashed: ${(error as Error).message}`));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(path);
      if (!file) return void response.writeHead(404).end('missing');
      return void response.writeHead(200, { 'content-type': 'image/png' }).end(file);
    }
    const body = await readBody(request);
    const recorded = await record(request, path, body);
    requests.push(recorded);
    response.on('close', () => {
      if (response.writableFinished) return;
      recorded.closedEarly = true;
      for (const notify of earlyCloses.get(recorded) ?? []) notify();
    });
    for (const notify of arrivals.splice(0)) notify();
    if (!(request.method === 'POST' && (path === '/v1/images/generations' || path === '/v1/images/edits'))) {
      return sendError(response, new UpstreamError(404, `Invalid URL (${request.method} ${path})`));
    }
    const fault = (recorded.fault = faults.shift());
    try {
      if (fault && (await applyFault(fault, response))) return;
      const call = await parseCall(path, recorded);
      await answer(call, fault, response);
    } catch (error) {
      if (error instanceof UpstreamError) sendError(response, error);
      else throw error;
    }
  }

  /** Answers for faults that replace the normal response; false = continue normally. */
  async function applyFault(fault: FakeOpenAiFault, response: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = fault.retryAfterMs;
        sendError(response, new UpstreamError(429, 'Rate limit reached for images per minute.', null, 'rate_limit_exceeded'), headers, 'requests');
        return true;
      }
      case 'server-error':
        sendError(response, new UpstreamError(fault.status ?? 500, 'The server had an error while processing your request.'), fault.retryAfterMs ? { 'retry-after-ms': fault.retryAfterMs } : {}, 'server_error');
        return true;
      case 'hang':
        return true;
      case 'moderation-blocked':
        response.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              message: 'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_fake.',
              type: 'image_generation_user_error',
              param: null,
              code: 'moderation_blocked',
              moderation_details: { moderation_stage: fault.stage, categories: fault.categories },
            },
          }),
        );
        return true;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"created": 1713833628, "data": [{"b64_json": "iVBOR');
        return true;
      case 'unauthorized':
        sendError(response, new UpstreamError(401, 'Incorrect API key provided: sk-fake***. You can find your API key at https://platform.openai.com/account/api-keys.', null, 'invalid_api_key'));
        return true;
      case 'bad-request':
        sendError(response, new UpstreamError(400, fault.message, fault.param ?? null, 'invalid_value'));
        return true;
      case 'stream-moderation-blocked':
      case 'not-an-image':
      case 'url-response':
        return false;
    }
  }

  async function answer(call: ImagesCall, fault: FakeOpenAiFault | undefined, response: ServerResponse): Promise<void> {
    const { params } = call;
    const count = numberParam(params.n, 1);
    const format = (typeof params.output_format === 'string' ? params.output_format : 'png') as 'png' | 'jpeg' | 'webp';
    const size = await outputSize(call);
    const quality = params.quality === undefined || params.quality === 'auto' ? 'medium' : String(params.quality);
    const background = params.background === 'transparent' ? 'transparent' : 'opaque';
    const images: Uint8Array[] = [];
    for (let index = 0; index < count; index += 1) images.push(await render(size, format, 40 + index * 50));

    if (params.stream === true || params.stream === 'true') {
      const prefix = call.operation === 'generation' ? 'image_generation' : 'image_edit';
      const partials = numberParam(params.partial_images, 0);
      const common = { created_at: Math.floor(Date.now() / 1000), size: `${size.width}x${size.height}`, quality, background, output_format: format };
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (event: string, data: Record<string, unknown>) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      for (const image of images) {
        for (let partial = 0; partial < partials; partial += 1) {
          const preview = await render(size, format, 200 - partial * 30);
          send(`${prefix}.partial_image`, { type: `${prefix}.partial_image`, b64_json: base64(preview), ...common, partial_image_index: partial });
          if (fault?.kind === 'stream-moderation-blocked') {
            send('error', { error: { message: 'Generated image was rejected by the safety system.', type: 'image_generation_user_error', param: null, code: 'moderation_blocked', moderation_details: { moderation_stage: 'output', categories: fault.categories } } });
            response.end();
            return;
          }
        }
        // Each completed event carries the usage of its own image.
        send(`${prefix}.completed`, { type: `${prefix}.completed`, b64_json: base64(image), ...common, usage: usageFor(call, size, 1) });
      }
      response.end();
      return;
    }

    let data: Array<Record<string, string>>;
    if (fault?.kind === 'not-an-image') data = images.map(() => ({ b64_json: Buffer.from('this is not an image').toString('base64') }));
    else if (fault?.kind === 'url-response') {
      data = images.map((image, index) => {
        const path = `/files/result-${requests.length}-${index}.png`;
        files.set(path, image);
        return { url: `${origin}${path}` };
      });
    } else data = images.map((image) => ({ b64_json: base64(image) }));
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` }).end(
      JSON.stringify({ created: Math.floor(Date.now() / 1000), data, background, output_format: format, size: `${size.width}x${size.height}`, quality, usage: usageFor(call, size, count) }),
    );
  }

  async function outputSize(call: ImagesCall): Promise<{ width: number; height: number }> {
    const size = call.params.size;
    const match = typeof size === 'string' ? /^(\d+)x(\d+)$/.exec(size) : null;
    if (match) return { width: Number(match[1]), height: Number(match[2]) };
    const first = call.inputs[0];
    if (first) {
      const metadata = await sharp(first).metadata();
      return { width: metadata.width, height: metadata.height };
    }
    return { width: 1024, height: 1024 };
  }

  const address = await new Promise<{ port: number }>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address() as { port: number })));
  origin = `http://127.0.0.1:${address.port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    requests,
    faults,
    waitForRequests(count) {
      return new Promise((resolve) => {
        const check = () => {
          const request = requests[count - 1];
          if (request) resolve(request);
          else arrivals.push(check);
        };
        check();
      });
    },
    waitForEarlyClose(request) {
      return new Promise((resolve) => {
        if (request.closedEarly) return resolve();
        earlyCloses.set(request, [...(earlyCloses.get(request) ?? []), resolve]);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function record(request: IncomingMessage, path: string, body: Buffer): Promise<RecordedRequest> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const contentType = headers['content-type'] ?? '';
  const recorded: RecordedRequest = { method: request.method ?? '', path, headers, bodyKind: 'other', json: undefined, fields: [], files: [], fault: undefined, closedEarly: false, receivedAt: Date.now() };
  if (contentType.startsWith('application/json')) {
    recorded.bodyKind = 'json';
    try {
      recorded.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      recorded.json = undefined;
    }
  } else if (contentType.startsWith('multipart/form-data')) {
    recorded.bodyKind = 'multipart';
    const form = await new Response(Uint8Array.from(body), { headers: { 'content-type': contentType } }).formData();
    const entries: Array<[string, FormDataEntryValue]> = [];
    form.forEach((value, name) => entries.push([name, value]));
    for (const [name, value] of entries) {
      if (typeof value === 'string') recorded.fields.push({ name, value });
      else recorded.files.push({ field: name, filename: value.name, contentType: value.type, data: new Uint8Array(await value.arrayBuffer()) });
    }
  }
  return recorded;
}

/** The request as OpenAI validates it: unknown parameters and missing requirements are 400s. */
async function parseCall(path: string, recorded: RecordedRequest): Promise<ImagesCall> {
  const operation = path.endsWith('/generations') ? 'generation' : 'edit';
  if (recorded.bodyKind === 'json') {
    const params = recorded.json;
    if (!params) throw new UpstreamError(400, 'We could not parse the JSON body of your request.');
    const allowed = operation === 'generation' ? generationFields : jsonEditFields;
    for (const name of Object.keys(params)) if (!allowed.has(name)) throw new UpstreamError(400, `Unknown parameter: '${name}'.`, name, 'unknown_parameter');
    checkCommon(params);
    if (operation === 'generation') return { operation, params, inputs: [], mask: undefined };
    const references = params.images;
    if (!Array.isArray(references) || references.length === 0) throw new UpstreamError(400, "Missing required parameter: 'images'.", 'images');
    const inputs = references.map((reference: unknown, index) => decodeReference(reference, `images[${index}]`));
    const mask = params.mask === undefined ? undefined : decodeReference(params.mask, 'mask');
    return { operation, params, inputs, mask };
  }
  if (operation === 'generation' || recorded.bodyKind !== 'multipart') throw new UpstreamError(400, 'Unsupported content type', null, 'invalid_content_type');
  const params: Record<string, unknown> = {};
  for (const { name, value } of recorded.fields) {
    if (!multipartEditFields.has(name)) throw new UpstreamError(400, `Unknown parameter: '${name}'.`, name, 'unknown_parameter');
    params[name] = value;
  }
  for (const file of recorded.files) if (!multipartEditFields.has(file.field)) throw new UpstreamError(400, `Unknown parameter: '${file.field}'.`, file.field, 'unknown_parameter');
  const inputs = recorded.files.filter((file) => file.field === 'image' || file.field === 'image[]').map((file) => file.data);
  if (inputs.length === 0) throw new UpstreamError(400, "Missing required parameter: 'image'.", 'image');
  if (inputs.length > 16) throw new UpstreamError(400, 'Too many images: at most 16.', 'image');
  const maskFile = recorded.files.find((file) => file.field === 'mask');
  if (maskFile) await checkMask(maskFile.data, inputs[0]!);
  checkCommon(params);
  return { operation, params, inputs, mask: maskFile?.data };
}

function checkCommon(params: Record<string, unknown>): void {
  if (typeof params.prompt !== 'string' || params.prompt.length === 0) throw new UpstreamError(400, "Missing required parameter: 'prompt'.", 'prompt');
  const n = numberParam(params.n, 1);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new UpstreamError(400, `Invalid 'n': ${String(params.n)}. Expected a value between 1 and 10.`, 'n');
  const partials = numberParam(params.partial_images, 0);
  if (!Number.isInteger(partials) || partials < 0 || partials > 3) throw new UpstreamError(400, "Invalid 'partial_images'.", 'partial_images');
  if (params.size !== undefined && params.size !== 'auto' && !/^\d+x\d+$/.test(String(params.size))) throw new UpstreamError(400, `Invalid size '${String(params.size)}'.`, 'size');
}

async function checkMask(mask: Uint8Array, first: Uint8Array): Promise<void> {
  const [maskMeta, imageMeta] = await Promise.all([sharp(mask).metadata(), sharp(first).metadata()]);
  if (maskMeta.format !== 'png' || !maskMeta.hasAlpha) throw new UpstreamError(400, 'Invalid mask image format - mask must be a PNG with an alpha channel.', 'mask');
  if (maskMeta.width !== imageMeta.width || maskMeta.height !== imageMeta.height) {
    throw new UpstreamError(400, 'Invalid mask image format - mask size does not match image size.', 'mask');
  }
}

function decodeReference(reference: unknown, param: string): Uint8Array {
  const url = typeof reference === 'object' && reference !== null ? (reference as { image_url?: unknown }).image_url : undefined;
  const match = typeof url === 'string' ? /^data:[^;,]+;base64,(.*)$/.exec(url) : null;
  if (!match) throw new UpstreamError(400, `Invalid '${param}': this fake accepts base64 data URLs only.`, param);
  return new Uint8Array(Buffer.from(match[1] ?? '', 'base64'));
}

function usageFor(call: ImagesCall, size: { width: number; height: number }, count: number) {
  const textTokens = Math.ceil(String(call.params.prompt).length / 4);
  const imageTokens = call.inputs.length * 65 + (call.mask ? 65 : 0);
  const outputImageTokens = Math.round((size.width * size.height) / 1000) * count;
  return {
    input_tokens: textTokens + imageTokens,
    output_tokens: outputImageTokens,
    total_tokens: textTokens + imageTokens + outputImageTokens,
    input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
    output_tokens_details: { image_tokens: outputImageTokens, text_tokens: 0 },
  };
}

const numberParam = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value));
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function render(size: { width: number; height: number }, format: 'png' | 'jpeg' | 'webp', shade: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: shade, g: 90, b: 160 } } }).toFormat(format).toBuffer());
}

function sendError(response: ServerResponse, error: UpstreamError, headers: Record<string, string> = {}, type = 'invalid_request_error'): void {
  response
    .writeHead(error.status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message: error.message, type, param: error.param, code: error.code } }));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
