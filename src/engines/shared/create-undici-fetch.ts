import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

const noBodyStatuses = new Set([101, 204, 205, 304]);
const streamAbove = 256 * 1024;

/**
 * A `fetch` for SDK clients (the official `openai` SDK accepts one) that sends string-bodied requests with
 * undici's plain request API and builds the `Response` itself. WHATWG fetch's Request, Headers and stream
 * plumbing cost about as much as the rest of darkroom's work on a small upstream call; anything else
 * (multipart uploads, non-string bodies) goes through Node's fetch on the same dispatcher. Redirects
 * are not followed on the fast path: an image API answers, it does not redirect.
 */
export function createUndiciFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  // Node's own fetch, as the SDK would use it: it knows the global FormData the SDK builds uploads with.
  const fallback = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit);
  return async (input, init) => {
    const body = init?.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) return fallback(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const method = init?.method ?? 'GET';
    const answer = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
      signal: init?.signal ?? undefined,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else if (value !== undefined) responseHeaders.append(name, value);
    }
    const status = answer.statusCode;
    if (noBodyStatuses.has(status) || method === 'HEAD') {
      await answer.body.dump();
      return new Response(null, { status, headers: responseHeaders });
    }
    // Small answers are read whole (cheapest for the SDK's own parsing). Event streams, and bodies large
    // enough that copying them into a Response would cost more than streaming them, stay streams.
    const streaming =
      (responseHeaders.get('content-type') ?? '').includes('text/event-stream') || Number(responseHeaders.get('content-length') ?? 0) > streamAbove;
    const responseBody = streaming ? (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>) : await answer.body.arrayBuffer();
    return new Response(responseBody, { status, headers: responseHeaders });
  };
}
