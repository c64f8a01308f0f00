// An OpenAI Images API stand-in for the benchmarks, run in its own process:
//   node --import tsx bench/fake-openai-upstream.ts [--port N] [--delay MS]
// It prints `listening <port>` once ready. The answer's shape and delay are chosen per base URL, so one
// process serves every scenario: `<origin>/<mode>/v1/images/generations` where <mode> is a `-`-joined list
// of `url` (small URL-form answer, the default), `b64` (a 1024² PNG as b64_json, ≈ 3.4 MB of JSON),
// `delay<ms>` (answer after that long, e.g. `url-delay120000`), `jitter<ms>` (plus a random 0–ms more) and
// `hold` (answer only after `POST /__release?spread=<ms>`, which releases every held request at a random
// moment within that window: N jobs provably in flight at once, then finishing spread out as real ones do).
// `/v1/...` alone uses the defaults. `GET /__stats` reports requests, in flight and held.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { payloadPng, tinyPng, uhdPng } from './bench-images.ts';

export type FakeUpstreamStats = { requests: number; inFlight: number; maxInFlight: number; held: number };

export type FakeUpstream = { server: Server; url: string; port: number; stats: FakeUpstreamStats; close(): Promise<void> };

type Mode = { form: 'url' | 'b64'; delayMs: number; jitterMs: number; hold: boolean };

const imagePaths = new Set(['/v1/images/generations', '/v1/images/edits']);

/** `/url-delay500/v1/images/generations` → its mode and the OpenAI path; undefined for other paths. */
export function parseUpstreamPath(path: string, defaultDelayMs: number): { mode: Mode; apiPath: string } | undefined {
  const match = /^(?:\/([a-z0-9-]+))?(\/v1\/.*)$/.exec(path);
  if (!match?.[2] || !imagePaths.has(match[2])) return undefined;
  const mode: Mode = { form: 'url', delayMs: defaultDelayMs, jitterMs: 0, hold: false };
  for (const part of (match[1] ?? '').split('-').filter((part) => part.length > 0)) {
    if (part === 'url' || part === 'b64') mode.form = part;
    else if (part === 'hold') mode.hold = true;
    else if (/^delay\d+$/.test(part)) mode.delayMs = Number(part.slice('delay'.length));
    else if (/^jitter\d+$/.test(part)) mode.jitterMs = Number(part.slice('jitter'.length));
    else return undefined;
  }
  return { mode, apiPath: match[2] };
}

const usage = { input_tokens: 50, output_tokens: 4160, total_tokens: 4210, input_tokens_details: { text_tokens: 50, image_tokens: 0 }, output_tokens_details: { text_tokens: 0, image_tokens: 4160 } };
const echoed = { background: 'opaque', output_format: 'png', quality: 'medium', size: '1024x1024' };

export async function startFakeOpenAiUpstream(options: { port?: number; defaultDelayMs?: number } = {}): Promise<FakeUpstream> {
  const defaultDelayMs = options.defaultDelayMs ?? 0;
  const [payload, tiny] = await Promise.all([payloadPng(), tinyPng()]);
  let uhd: Buffer | undefined;
  const stats: FakeUpstreamStats = { requests: 0, inFlight: 0, maxInFlight: 0, held: 0 };
  const held = new Set<() => void>();
  let origin = '';
  // Serialised once: the upstream's own cost must stay negligible next to what is measured.
  const b64Body = Buffer.from(JSON.stringify({ created: Math.floor(Date.now() / 1000), data: [{ b64_json: payload.toString('base64') }], ...echoed, usage }));
  const urlBody = () => Buffer.from(JSON.stringify({ created: Math.floor(Date.now() / 1000), data: [{ url: `${origin}/files/tiny.png` }], ...echoed, usage }));
  let cachedUrlBody: Buffer | undefined;
  let seed = 12345;
  // Deterministic, so every run spreads its completions the same way.
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };

  const sendBytes = (response: ServerResponse, status: number, contentType: string, body: Buffer) => {
    response.writeHead(status, { 'content-type': contentType, 'content-length': String(body.byteLength) }).end(body);
  };

  const answerImages = (request: IncomingMessage, response: ServerResponse, mode: Mode) => {
    stats.requests += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stats.inFlight -= 1;
    };
    // Read the whole body first (multipart edits included), as a real server would before answering.
    request.on('data', () => undefined);
    request.on('end', () => {
      const send = () => {
        if (done) return;
        sendBytes(response, 200, 'application/json', mode.form === 'b64' ? b64Body : (cachedUrlBody ??= urlBody()));
        finish();
      };
      let timer: NodeJS.Timeout | undefined;
      const release = () => {
        held.delete(release);
        stats.held = held.size;
        send();
      };
      response.on('close', () => {
        clearTimeout(timer);
        held.delete(release);
        stats.held = held.size;
        finish();
      });
      const delayMs = mode.delayMs + (mode.jitterMs > 0 ? random() * mode.jitterMs : 0);
      if (mode.hold) {
        held.add(release);
        stats.held = held.size;
      } else if (delayMs <= 0) send();
      else timer = setTimeout(send, delayMs);
    });
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'POST') {
      const parsed = parseUpstreamPath(path, defaultDelayMs);
      if (parsed) return answerImages(request, response, parsed.mode);
    }
    if (request.method === 'GET' && path === '/files/tiny.png') return sendBytes(response, 200, 'image/png', tiny);
    if (request.method === 'GET' && path === '/files/payload.png') return sendBytes(response, 200, 'image/png', payload);
    if (request.method === 'GET' && path === '/files/uhd.png') {
      void (async () => sendBytes(response, 200, 'image/png', (uhd ??= await uhdPng())))();
      return;
    }
    if (request.method === 'POST' && path === '/__release') {
      const spreadMs = Number(new URL(request.url ?? '/', origin).searchParams.get('spread') ?? '0');
      const releasing = [...held];
      for (const release of releasing) setTimeout(release, random() * spreadMs);
      return sendBytes(response, 200, 'application/json', Buffer.from(JSON.stringify({ released: releasing.length })));
    }
    if (request.method === 'GET' && path === '/__stats') return sendBytes(response, 200, 'application/json', Buffer.from(JSON.stringify(stats)));
    sendBytes(response, 404, 'application/json', Buffer.from(JSON.stringify({ error: { message: `fake upstream: no route ${request.method} ${path}`, type: 'invalid_request_error', param: null, code: null } })));
  });
  // Held answers (minutes) must outlive node's default request and keep-alive timers.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 60_000;
  server.maxConnections = 100_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  origin = `http://127.0.0.1:${port}`;
  return {
    server,
    url: origin,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, delay: { type: 'string', default: '0' } } });
  const upstream = await startFakeOpenAiUpstream({ port: Number(values.port), defaultDelayMs: Number(values.delay) });
  process.stdout.write(`listening ${upstream.port}\n`);
  process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
}
