import { createHash } from 'node:crypto';
import type { Context, Next } from 'hono';
import { GatewayError } from '../domain/gateway-error.ts';
import type { AppEnv } from '../dialects/shared/app-env.ts';
import type { IdempotencyStore, StoredResponse } from './idempotency-store.ts';

/** How long a key's response is replayed. */
export const idempotencyWindowMs = 24 * 60 * 60 * 1000;

/** Headers that describe this delivery rather than the result, so a replay gets fresh ones. */
const unstoredHeaders = new Set([
  'date',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'set-cookie',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'x-request-id',
  'x-darkroom-overhead-ms',
]);

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on POST requests: the first request with a key runs; a retry with the same key, caller
 * and body gets the first response back (status, headers that describe the result, body) without running
 * again — also while the first is still running (it waits for it). The same key with another body is a 422.
 *
 * A response is remembered when the request created a job — every 2xx, or a failed sync run, which carries
 * `x-darkroom-job-id`. Other errors (validation, 429, 402, 503) are not: retrying them is harmless and may
 * succeed later.
 */
export class IdempotencyGuard {
  private readonly inFlight = new Map<string, { fingerprint: string; done: Promise<void> }>();

  constructor(private readonly options: { store: IdempotencyStore; maxBodyBytes: number; now: () => Date }) {}

  async handle(context: Context<AppEnv>, next: Next): Promise<Response | undefined> {
    const key = context.req.header('idempotency-key');
    if (context.req.method !== 'POST' || key === undefined) {
      await next();
      return undefined;
    }
    if (!keyPattern.test(key)) {
      throw GatewayError.invalid('Idempotency-Key', 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)');
    }
    const scope = context.get('principal').keyId ?? 'anonymous';
    const fingerprint = await fingerprintRequest(context.req.raw, this.options.maxBodyBytes);
    const slot = `${scope}\n${key}`;
    for (;;) {
      const stored = this.options.store.find(scope, key, new Date(this.options.now().getTime() - idempotencyWindowMs));
      if (stored) {
        assertSameRequest(stored.fingerprint, fingerprint, key);
        return replay(context, stored);
      }
      const running = this.inFlight.get(slot);
      if (!running) break;
      assertSameRequest(running.fingerprint, fingerprint, key);
      await running.done;
    }

    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.inFlight.set(slot, { fingerprint, done });
    const release = () => {
      this.inFlight.delete(slot);
      finish();
    };
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const response = context.res;
    if (!shouldRemember(response)) {
      release();
      return undefined;
    }
    const remember = (body: Uint8Array) =>
      this.options.store.save(scope, key, { fingerprint, status: response.status, headers: storedHeaders(response.headers), body, createdAt: this.options.now() });
    if (response.body && response.headers.get('content-type')?.startsWith('text/event-stream')) {
      // A stream is remembered once it has ended; retries meanwhile wait for it.
      const [toClient, toStore] = response.body.tee();
      context.res = new Response(toClient, response);
      void new Response(toStore)
        .arrayBuffer()
        .then((buffer) => remember(new Uint8Array(buffer)))
        .catch(() => undefined)
        .finally(release);
      return undefined;
    }
    try {
      remember(new Uint8Array(await response.clone().arrayBuffer()));
    } finally {
      release();
    }
    return undefined;
  }
}

function assertSameRequest(storedFingerprint: string, fingerprint: string, key: string): void {
  if (storedFingerprint === fingerprint) return;
  throw new GatewayError(
    'conflict',
    `Idempotency-Key "${key}" was already used with a different request within the last 24 hours; send a new key for a new request`,
    { status: 422, field: 'Idempotency-Key' },
  );
}

const shouldRemember = (response: Response): boolean => (response.status >= 200 && response.status < 300) || response.headers.has('x-darkroom-job-id');

function storedHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!unstoredHeaders.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
  });
  return kept;
}

/** Through the context, so headers set for this request (rate limits) are kept. */
function replay(context: Context<AppEnv>, stored: StoredResponse): Response {
  const headers = { ...stored.headers, 'idempotent-replayed': 'true' };
  if (stored.body.byteLength === 0) return context.body(null, stored.status as 200, headers);
  return context.body(stored.body as Uint8Array<ArrayBuffer>, stored.status as 200, headers);
}

/**
 * SHA-256 over method, path with query, media type and body. A multipart boundary is random per send, so it
 * is left out: an SDK retrying the same form counts as the same request.
 */
export async function fingerprintRequest(request: Request, maxBodyBytes: number): Promise<string> {
  const url = new URL(request.url);
  const contentType = request.headers.get('content-type') ?? '';
  const boundary = /;\s*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const hash = createHash('sha256').update(`${request.method} ${url.pathname}${url.search}\n${contentType.replace(/;\s*boundary=.*$/i, '')}\n`);
  if (request.body) {
    const body = await readCapped(request.clone().body, maxBodyBytes);
    hash.update(boundary ? Buffer.from(body).toString('latin1').split(boundary).join('boundary') : body);
  }
  return hash.digest('hex');
}

async function readCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not awaited: cancelling one branch of a cloned body settles only once the other branch is done too.
      void reader.cancel().catch(() => undefined);
      throw new GatewayError('payload_too_large', `body: request body is larger than ${maxBytes} bytes`, { field: 'body' });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
