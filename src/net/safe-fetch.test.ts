import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { GatewayError, type GatewayErrorCode } from '../domain/gateway-error.ts';
import { createSafeFetch, parseDataUri } from './safe-fetch.ts';

type Canary = { server: Server; port: number; connections: number };

type StreamState = { sent: number; total: number; closedBeforeFinish: boolean; closed: Promise<void> };

type ReceivedWebhook = { method: string; headers: IncomingMessage['headers']; body: string };

const megabyte = 1024 * 1024;

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A server that must never be reached by a blocked request; it counts TCP connections. */
async function startCanary(host: string): Promise<Canary | undefined> {
  const canary: Canary = { server: createServer((_request, response) => response.end('canary')), port: 0, connections: 0 };
  canary.server.on('connection', () => {
    canary.connections += 1;
  });
  try {
    canary.port = await listen(canary.server, host);
    return canary;
  } catch {
    // IPv6 loopback may be unavailable on some CI machines.
    return undefined;
  }
}

/** Resolver stub: fixed answers per name, ENOTFOUND otherwise; records every call. */
function stubLookup(table: Record<string, string[]>, calls: string[] = []): LookupFunction {
  return (hostname, _options, callback) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      return;
    }
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

async function expectGatewayError(
  promise: Promise<unknown>,
  code: GatewayErrorCode,
  field: string,
  pattern?: RegExp,
): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(GatewayError);
  const gatewayError = error as GatewayError;
  expect(gatewayError.code).toBe(code);
  expect(gatewayError.field).toBe(field);
  expect(gatewayError.message.startsWith(`${field}: `)).toBe(true);
  if (pattern !== undefined) expect(gatewayError.message).toMatch(pattern);
  return gatewayError;
}

const blockedMessage = /private or reserved address \(.+\), which is not allowed; add the host to DARKROOM_FETCH_ALLOWLIST/;

let canary4: Canary;
let canary6: Canary | undefined;
let origin: Server;
let originPort: number;
let closedPort: number;
let originConnections = 0;
let originRequests = 0;
let lastStream: StreamState | undefined;
let lastWebhook: ReceivedWebhook | undefined;

function canaryConnections(): number {
  return canary4.connections + (canary6?.connections ?? 0);
}

/** Streams `total` bytes in paced chunks so the test can observe whether the client hung up early. */
function streamBody(response: ServerResponse, total: number, headers: Record<string, string | number>): void {
  let resolveClosed: () => void = () => undefined;
  const state: StreamState = {
    sent: 0,
    total,
    closedBeforeFinish: false,
    closed: new Promise<void>((resolve) => {
      resolveClosed = resolve;
    }),
  };
  lastStream = state;
  response.on('close', () => {
    state.closedBeforeFinish = !response.writableFinished;
    resolveClosed();
  });
  response.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
  const chunk = Buffer.alloc(256 * 1024, 7);
  const pump = (): void => {
    if (response.destroyed) return;
    if (state.sent >= total) {
      response.end();
      return;
    }
    state.sent += chunk.byteLength;
    const flushed = response.write(chunk);
    // Pace the stream a little so kernel socket buffers cannot swallow the whole body at once.
    if (flushed) setTimeout(pump, 5);
    else response.once('drain', () => setTimeout(pump, 5));
  };
  pump();
}

function handleOrigin(request: IncomingMessage, response: ServerResponse): void {
  originRequests += 1;
  const url = new URL(request.url ?? '/', 'http://origin.invalid');
  const redirect = /^\/redirect\/(\d+)$/.exec(url.pathname);
  if (redirect !== null) {
    const remaining = Number(redirect[1]);
    if (remaining === 0) {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end('PNGDATA');
      return;
    }
    response.writeHead(302, { location: `/redirect/${remaining - 1}` });
    response.end();
    return;
  }
  switch (url.pathname) {
    case '/image':
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end('PNGDATA');
      return;
    case '/redirect-to':
      response.writeHead(302, { location: url.searchParams.get('target') ?? '/' });
      response.end();
      return;
    case '/redirect-without-location':
      response.writeHead(302);
      response.end();
      return;
    case '/not-found':
      response.writeHead(404);
      response.end('missing');
      return;
    case '/big-stream':
      streamBody(response, 10 * megabyte, {});
      return;
    case '/declared-big':
      streamBody(response, 5 * megabyte, { 'content-length': 5 * megabyte });
      return;
    case '/hang':
      return;
    case '/hang-body':
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write('PNG');
      return;
    case '/large-text':
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('x'.repeat(200 * 1024));
      return;
    case '/webhook': {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        lastWebhook = { method: request.method ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        response.writeHead(202, { 'content-type': 'application/json', 'x-receiver': 'ok' });
        response.end('{"received":true}');
      });
      return;
    }
    default:
      response.writeHead(500);
      response.end();
  }
}

beforeAll(async () => {
  const started = await startCanary('127.0.0.1');
  if (started === undefined) throw new Error('cannot listen on 127.0.0.1');
  canary4 = started;
  canary6 = await startCanary('::1');
  origin = createServer(handleOrigin);
  origin.on('connection', () => {
    originConnections += 1;
  });
  originPort = await listen(origin, '127.0.0.1');
  const closed = createServer();
  closedPort = await listen(closed, '127.0.0.1');
  await closeServer(closed);
});

afterAll(async () => {
  await closeServer(origin);
  await closeServer(canary4.server);
  if (canary6 !== undefined) await closeServer(canary6.server);
});

beforeEach(() => {
  canary4.connections = 0;
  if (canary6 !== undefined) canary6.connections = 0;
  originConnections = 0;
  originRequests = 0;
  lastStream = undefined;
  lastWebhook = undefined;
});

describe('SSRF corpus: blocked before any connection', () => {
  // Names a resolver might answer with internal addresses; the connect-time lookup must reject them.
  const resolverTable: Record<string, string[]> = {
    localhost: ['127.0.0.1'],
    'internal.example.test': ['10.0.0.5'],
    'metadata.google.internal': ['169.254.169.254'],
    'mixed.example.test': ['93.184.216.34', '127.0.0.1'],
    'v6-loopback.example.test': ['::1'],
    'mapped.example.test': ['::ffff:127.0.0.1'],
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'cgnat.example.test': ['100.64.1.1'],
    'ula.example.test': ['fd00::1'],
    'unspecified.example.test': ['0.0.0.0'],
  };
  const safeFetch = createSafeFetch({ allowlist: ['allowed-but-unrelated.example.test'], lookup: stubLookup(resolverTable), timeoutMs: 2_000 });

  // `{port}` / `{port6}` are the IPv4 / IPv6 canary ports, filled in once the canaries listen.
  const cases: Array<[string, string]> = [
    ['loopback literal', 'http://127.0.0.1:{port}/'],
    ['loopback other address', 'http://127.0.0.2:{port}/'],
    ['loopback short form 127.1', 'http://127.1:{port}/'],
    ['loopback decimal dword', 'http://2130706433:{port}/'],
    ['loopback hex dword', 'http://0x7f000001:{port}/'],
    ['loopback hex mixed 0x7f.1', 'http://0x7f.1:{port}/'],
    ['loopback octal dword', 'http://017700000001:{port}/'],
    ['loopback octal dotted', 'http://0177.0.0.1:{port}/'],
    ['loopback trailing dot', 'http://127.0.0.1.:{port}/'],
    ['loopback over https', 'https://127.0.0.1:{port}/'],
    ['IPv6 loopback', 'http://[::1]:{port6}/'],
    ['IPv6 loopback expanded', 'http://[0:0:0:0:0:0:0:1]:{port6}/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:{port}/'],
    ['IPv4-mapped loopback hex', 'http://[::ffff:7f00:1]:{port}/'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]:{port}/'],
    ['unspecified 0.0.0.0', 'http://0.0.0.0:{port}/'],
    ['unspecified short 0', 'http://0:{port}/'],
    ['IPv6 unspecified', 'http://[::]:{port6}/'],
    ['RFC1918 10/8', 'http://10.0.0.1:{port}/'],
    ['RFC1918 172.16/12', 'http://172.16.5.4:{port}/'],
    ['RFC1918 192.168/16', 'http://192.168.1.1:{port}/'],
    ['CGNAT 100.64/10', 'http://100.64.0.1:{port}/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['cloud metadata decimal', 'http://2852039166/latest/meta-data/'],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/'],
    ['IPv6 link-local', 'http://[fe80::1]:{port6}/'],
    ['IPv6 unique-local fc00', 'http://[fc00::1]:{port6}/'],
    ['IPv6 unique-local fd', 'http://[fd12:3456::1]:{port6}/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['reserved 240/4', 'http://240.0.0.1/'],
    ['IETF 192.0.0.0/24', 'http://192.0.0.8/'],
    ['benchmarking 198.18/15', 'http://198.18.0.1/'],
    ['documentation TEST-NET-1', 'http://192.0.2.1/'],
    ['IPv6 documentation', 'http://[2001:db8::1]/'],
    ['NAT64 embedding 10.0.0.1', 'http://[64:ff9b::10.0.0.1]/'],
    ['6to4 embedding 127.0.0.1', 'http://[2002:7f00:1::1]/'],
    ['Teredo', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/'],
    ['localhost resolving to loopback', 'http://localhost:{port}/'],
    ['name resolving to RFC1918', 'http://internal.example.test:{port}/'],
    ['metadata.google.internal', 'http://metadata.google.internal:{port}/computeMetadata/v1/'],
    ['name with one public and one private address', 'http://mixed.example.test:{port}/'],
    ['name resolving to ::1', 'http://v6-loopback.example.test:{port6}/'],
    ['name resolving to IPv4-mapped loopback', 'http://mapped.example.test:{port}/'],
    ['nip.io-style name', 'http://127.0.0.1.nip.io:{port}/'],
    ['name resolving to CGNAT', 'http://cgnat.example.test:{port}/'],
    ['name resolving to unique-local', 'http://ula.example.test:{port}/'],
    ['name resolving to 0.0.0.0', 'http://unspecified.example.test:{port}/'],
    ['upper-case name resolving to loopback', 'http://LOCALHOST:{port}/'],
  ];

  it('has at least 40 address cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('blocks %s: %s', async (name, template) => {
    const url = template.replace('{port6}', String(canary6?.port ?? canary4.port)).replace('{port}', String(canary4.port));
    await expectGatewayError(safeFetch.fetchBytes(url, { field: 'image' }), 'invalid_request', 'image', blockedMessage);
    expect(canaryConnections(), name).toBe(0);
  });

  it('blocks DNS rebinding: the address checked is the address connected to', async () => {
    // The first answer is public (what a naive "resolve, check, then fetch" validator would see);
    // every later answer, including the one the socket gets at connect time, is loopback.
    let answers = 0;
    const calls: string[] = [];
    const rebinding: LookupFunction = (hostname, _options, callback) => {
      calls.push(hostname);
      answers += 1;
      const address = answers === 1 ? '93.184.216.34' : '127.0.0.1';
      callback(null, [{ address, family: 4 }]);
    };
    const fetcher = createSafeFetch({ allowlist: [], lookup: rebinding, timeoutMs: 2_000 });
    const url = `http://rebind.example.test:${canary4.port}/`;

    // Simulated time-of-check: the name looks public.
    const firstAnswer = await new Promise<string>((resolve) => {
      rebinding('rebind.example.test', { all: true }, (_error, addresses) => {
        resolve(Array.isArray(addresses) ? (addresses[0]?.address ?? '') : addresses);
      });
    });
    expect(firstAnswer).toBe('93.184.216.34');

    const error = await expectGatewayError(fetcher.fetchBytes(url, { field: 'image' }), 'invalid_request', 'image', blockedMessage);
    expect(error.message).toContain('(127.0.0.1)');
    expect(calls).toEqual(['rebind.example.test', 'rebind.example.test']);
    expect(canaryConnections()).toBe(0);
  });

  it.each([
    ['file', 'file:///etc/passwd'],
    ['ftp', 'ftp://127.0.0.1/'],
    ['gopher', 'gopher://127.0.0.1:6379/_FLUSHALL'],
    ['data', 'data:image/png;base64,iVBORw0KGgo='],
    ['javascript', 'javascript:alert(1)'],
    ['ws', 'ws://127.0.0.1/'],
  ])('rejects the %s scheme', async (scheme, url) => {
    await expectGatewayError(safeFetch.fetchBytes(url, { field: 'input_image.0' }), 'invalid_request', 'input_image.0', new RegExp(`scheme "${scheme}" is not allowed`));
    expect(canaryConnections()).toBe(0);
  });

  it('rejects credentials in the URL even for an allowlisted host', async () => {
    const fetcher = createSafeFetch({ allowlist: ['127.0.0.1'] });
    await expectGatewayError(fetcher.fetchBytes(`http://user:secret@127.0.0.1:${canary4.port}/`, { field: 'image' }), 'invalid_request', 'image', /credentials/);
    await expectGatewayError(fetcher.fetchBytes(`http://user@127.0.0.1:${canary4.port}/`, { field: 'image' }), 'invalid_request', 'image', /credentials/);
    expect(canaryConnections()).toBe(0);
  });

  it('rejects unparseable URLs', async () => {
    await expectGatewayError(safeFetch.fetchBytes('not a url', { field: 'image' }), 'invalid_request', 'image', /not a valid URL/);
    await expectGatewayError(safeFetch.fetchBytes('http://[::1/', { field: 'image' }), 'invalid_request', 'image', /not a valid URL/);
  });
});

describe('redirects', () => {
  // The origin is reachable only through the allowlisted name; everything else stays blocked.
  const lookup = stubLookup({ 'images.example.test': ['127.0.0.1'], localhost: ['127.0.0.1'] });
  const fetcher = createSafeFetch({ allowlist: ['images.example.test'], lookup, timeoutMs: 2_000 });
  const originUrl = (path: string): string => `http://images.example.test:${originPort}${path}`;

  it.each([
    ['a loopback literal', () => `http://127.0.0.1:${canary4.port}/`],
    ['IPv6 loopback', () => `http://[::1]:${canary6?.port ?? canary4.port}/`],
    ['a name resolving to loopback', () => `http://localhost:${canary4.port}/`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a decimal-encoded loopback', () => `http://2130706433:${canary4.port}/`],
  ])('blocks a redirect to %s', async (_name, target) => {
    const url = originUrl(`/redirect-to?target=${encodeURIComponent(target())}`);
    await expectGatewayError(fetcher.fetchBytes(url, { field: 'image' }), 'invalid_request', 'image', blockedMessage);
    expect(originRequests).toBe(1);
    expect(canaryConnections()).toBe(0);
  });

  it.each([
    ['file', 'file:///etc/passwd'],
    ['gopher', 'gopher://127.0.0.1:6379/_x'],
  ])('blocks a redirect to the %s scheme', async (scheme, target) => {
    const url = originUrl(`/redirect-to?target=${encodeURIComponent(target)}`);
    await expectGatewayError(fetcher.fetchBytes(url, { field: 'image' }), 'invalid_request', 'image', new RegExp(`redirect scheme "${scheme}" is not allowed`));
  });

  it('blocks a redirect that adds credentials', async () => {
    const target = `http://user:pass@images.example.test:${originPort}/image`;
    await expectGatewayError(fetcher.fetchBytes(originUrl(`/redirect-to?target=${encodeURIComponent(target)}`), { field: 'image' }), 'invalid_request', 'image', /credentials/);
  });

  it('follows up to 3 redirects within allowlisted hosts, resolving relative locations', async () => {
    const result = await fetcher.fetchBytes(originUrl('/redirect/3'), { field: 'image' });
    expect(new TextDecoder().decode(result.data)).toBe('PNGDATA');
    expect(result.finalUrl).toBe(originUrl('/redirect/0'));
  });

  it('fails on more than 3 redirects', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/redirect/4'), { field: 'image' }), 'invalid_request', 'image', /too many redirects/);
  });

  it('honours a smaller maxRedirects', async () => {
    const strict = createSafeFetch({ allowlist: ['images.example.test'], lookup, maxRedirects: 0 });
    await expectGatewayError(strict.fetchBytes(originUrl('/redirect/1'), { field: 'image' }), 'invalid_request', 'image', /too many redirects/);
  });

  it('fails on a redirect without a Location header', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/redirect-without-location'), { field: 'image' }), 'invalid_request', 'image', /HTTP 302 without a Location/);
  });
});

describe('allowlisted fetches', () => {
  it.each([
    ['an IP literal', ['127.0.0.1'], '127.0.0.1'],
    ['a CIDR', ['127.0.0.0/8'], '127.0.0.1'],
    ['the hostname localhost', ['localhost'], 'localhost'],
    ['a resolver-backed hostname', ['images.example.test'], 'images.example.test'],
    ['a wildcard hostname', ['*.example.test'], 'images.example.test'],
  ])('fetches from the loopback origin when allowlisted by %s', async (_name, allowlist, host) => {
    const lookup = stubLookup({ localhost: ['127.0.0.1'], 'images.example.test': ['127.0.0.1'] });
    const fetcher = createSafeFetch({ allowlist, lookup, userAgent: 'darkroom-test' });
    const url = `http://${host}:${originPort}/image`;
    const result = await fetcher.fetchBytes(url, { field: 'image' });
    expect(result.data).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(result.data)).toBe('PNGDATA');
    expect(result.contentType).toBe('image/png');
    expect(result.finalUrl).toBe(url);
  });

  it('still blocks other private addresses when one host is allowlisted', async () => {
    const lookup = stubLookup({ 'images.example.test': ['127.0.0.1'], 'other.example.test': ['127.0.0.1'] });
    const fetcher = createSafeFetch({ allowlist: ['images.example.test'], lookup });
    await expectGatewayError(fetcher.fetchBytes(`http://other.example.test:${canary4.port}/`, { field: 'image' }), 'invalid_request', 'image', blockedMessage);
    expect(canaryConnections()).toBe(0);
  });
});

describe('limits and failures', () => {
  const fetcher = createSafeFetch({ allowlist: ['127.0.0.1'], timeoutMs: 5_000 });
  const originUrl = (path: string): string => `http://127.0.0.1:${originPort}${path}`;

  it('aborts a streamed body as soon as it exceeds maxBytes, closing the connection early', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/big-stream'), { field: 'image', maxBytes: megabyte }), 'payload_too_large', 'image', /larger than the limit of 1048576 bytes/);
    const stream = lastStream;
    if (stream === undefined) throw new Error('the server did not stream');
    await stream.closed;
    expect(stream.closedBeforeFinish).toBe(true);
    expect(stream.sent).toBeLessThan(stream.total);
  });

  it('rejects a declared content-length above the cap without reading the body', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/declared-big'), { field: 'image', maxBytes: megabyte }), 'payload_too_large', 'image');
    const stream = lastStream;
    if (stream === undefined) throw new Error('the server did not stream');
    await stream.closed;
    expect(stream.closedBeforeFinish).toBe(true);
  });

  it('uses the default maxBytes from the options', async () => {
    const small = createSafeFetch({ allowlist: ['127.0.0.1'], maxBytes: 4 });
    await expectGatewayError(small.fetchBytes(originUrl('/image'), { field: 'image' }), 'payload_too_large', 'image');
  });

  it('times out a server that never answers', async () => {
    const quick = createSafeFetch({ allowlist: ['127.0.0.1'], timeoutMs: 300 });
    const started = Date.now();
    await expectGatewayError(quick.fetchBytes(originUrl('/hang'), { field: 'image' }), 'invalid_request', 'image', /timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('counts the body in the time budget', async () => {
    const quick = createSafeFetch({ allowlist: ['127.0.0.1'], timeoutMs: 300 });
    await expectGatewayError(quick.fetchBytes(originUrl('/hang-body'), { field: 'image' }), 'invalid_request', 'image', /timed out/);
  });

  it('propagates the caller abort signal as cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expectGatewayError(fetcher.fetchBytes(originUrl('/hang'), { field: 'image', signal: controller.signal }), 'cancelled', 'image', /cancelled/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('cancels while the body is streaming', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expectGatewayError(fetcher.fetchBytes(originUrl('/hang-body'), { field: 'image', signal: controller.signal }), 'cancelled', 'image');
  });

  it('does not connect when the signal is already aborted', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/image'), { field: 'image', signal: AbortSignal.abort() }), 'cancelled', 'image');
    expect(originConnections).toBe(0);
    expect(originRequests).toBe(0);
  });

  it('reports a non-2xx status', async () => {
    await expectGatewayError(fetcher.fetchBytes(originUrl('/not-found'), { field: 'image' }), 'invalid_request', 'image', /^image: fetching the URL failed with HTTP 404$/);
  });

  it('reports a refused connection', async () => {
    await expectGatewayError(fetcher.fetchBytes(`http://127.0.0.1:${closedPort}/`, { field: 'image' }), 'invalid_request', 'image', /connection was refused/);
  });

  it('reports an unresolvable host', async () => {
    const unresolvable = createSafeFetch({ allowlist: [], lookup: stubLookup({}) });
    await expectGatewayError(unresolvable.fetchBytes('http://nowhere.example.test/', { field: 'image' }), 'invalid_request', 'image', /could not be resolved/);
  });

  it('turns a throwing resolver into a GatewayError', async () => {
    const throwing: LookupFunction = () => {
      throw new Error('resolver exploded');
    };
    const broken = createSafeFetch({ allowlist: [], lookup: throwing });
    await expectGatewayError(broken.fetchBytes('http://broken.example.test/', { field: 'image' }), 'invalid_request', 'image');
  });
});

describe('request (webhooks)', () => {
  const fetcher = createSafeFetch({ allowlist: ['127.0.0.1'], timeoutMs: 5_000 });
  const originUrl = (path: string): string => `http://127.0.0.1:${originPort}${path}`;

  it('posts a string body with headers and returns the answer', async () => {
    const result = await fetcher.request(originUrl('/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body: '{"type":"image.completed"}',
    });
    expect(result.status).toBe(202);
    expect(result.bodyText).toBe('{"received":true}');
    expect(result.headers).toBeInstanceOf(Headers);
    expect(result.headers.get('x-receiver')).toBe('ok');
    expect(lastWebhook?.method).toBe('POST');
    expect(lastWebhook?.body).toBe('{"type":"image.completed"}');
    expect(lastWebhook?.headers['webhook-id']).toBe('msg_1');
    expect(lastWebhook?.headers['user-agent']).toBe('darkroom');
  });

  it('posts a binary body and lets the caller set the user agent', async () => {
    await fetcher.request(originUrl('/webhook'), {
      method: 'POST',
      headers: { 'User-Agent': 'custom-agent' },
      body: new TextEncoder().encode('bytes'),
    });
    expect(lastWebhook?.body).toBe('bytes');
    expect(lastWebhook?.headers['user-agent']).toBe('custom-agent');
  });

  it('returns a 3xx as the answer instead of following it', async () => {
    const target = `http://127.0.0.1:${canary4.port}/`;
    const result = await fetcher.request(originUrl(`/redirect-to?target=${encodeURIComponent(target)}`), { method: 'POST', headers: {}, body: '{}' });
    expect(result.status).toBe(302);
    expect(result.headers.get('location')).toBe(target);
    expect(canaryConnections()).toBe(0);
  });

  it('truncates the answer body to 64 KB', async () => {
    const result = await fetcher.request(originUrl('/large-text'), { method: 'GET', headers: {} });
    expect(result.status).toBe(200);
    expect(result.bodyText.length).toBe(64 * 1024);
  });

  it('blocks private addresses with the webhook field name', async () => {
    const publicOnly = createSafeFetch({ allowlist: [], lookup: stubLookup({ 'hook.example.test': ['192.168.0.10'] }) });
    await expectGatewayError(publicOnly.request(`http://127.0.0.1:${canary4.port}/`, { method: 'POST', headers: {}, body: '{}' }), 'invalid_request', 'webhook_url', blockedMessage);
    await expectGatewayError(publicOnly.request('http://hook.example.test/', { method: 'POST', headers: {}, body: '{}', field: 'webhook.url' }), 'invalid_request', 'webhook.url', /\(192\.168\.0\.10\)/);
    await expectGatewayError(publicOnly.request('file:///etc/passwd', { method: 'POST', headers: {} }), 'invalid_request', 'webhook_url', /scheme "file" is not allowed/);
    expect(canaryConnections()).toBe(0);
  });

  it('applies the per-request timeout and the abort signal', async () => {
    await expectGatewayError(fetcher.request(originUrl('/hang'), { method: 'POST', headers: {}, body: '{}', timeoutMs: 200 }), 'invalid_request', 'webhook_url', /timed out after 200 ms/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expectGatewayError(fetcher.request(originUrl('/hang'), { method: 'POST', headers: {}, signal: controller.signal }), 'cancelled', 'webhook_url');
  });
});

describe('parseDataUri', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const pngBase64 = png.toString('base64');

  it('decodes a base64 data URI and lower-cases the media type', () => {
    const result = parseDataUri(`data:Image/PNG;base64,${pngBase64}`, 'image', 1024);
    expect(result.mediaType).toBe('image/png');
    expect(Buffer.from(result.data).equals(png)).toBe(true);
  });

  it('accepts parameters, whitespace and missing padding', () => {
    const unpadded = pngBase64.replace(/=+$/, '');
    const spaced = `${unpadded.slice(0, 4)}\n ${unpadded.slice(4)}`;
    const result = parseDataUri(`DATA:image/png;name=a.png;BASE64,${spaced}`, 'image', 1024);
    expect(Buffer.from(result.data).equals(png)).toBe(true);
  });

  it('returns a buffer that exposes no other memory', () => {
    const result = parseDataUri(`data:image/png;base64,${pngBase64}`, 'image', 1024);
    expect(result.data.buffer.byteLength).toBe(png.byteLength);
  });

  it('checks the decoded size from the base64 length before decoding or validating', () => {
    expect(() => parseDataUri(`data:image/png;base64,${pngBase64}`, 'image', 7)).toThrow(/^image: .*limit of 7 bytes/);
    // Oversized and malformed: the size check runs first, so nothing is decoded.
    const error = (() => {
      try {
        parseDataUri(`data:image/png;base64,${'!'.repeat(4_000)}`, 'mask', 100);
      } catch (failure) {
        return failure;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('payload_too_large');
    expect((error as GatewayError).field).toBe('mask');
    // Exactly at the limit is fine.
    expect(parseDataUri(`data:image/png;base64,${pngBase64}`, 'image', 8).data.byteLength).toBe(8);
  });

  it.each([
    ['not a data URI', 'http://example.test/a.png', /not a data URI/],
    ['no comma', 'data:image/png;base64', /no ","/],
    ['not base64', 'data:image/png,rawbytes', /only base64/],
    ['percent-encoded', 'data:text/plain;charset=utf-8,hello%20world', /only base64/],
    ['invalid characters', 'data:image/png;base64,iVBO$$$$', /not valid base64/],
    ['bad length', 'data:image/png;base64,iVBOR', /not valid base64/],
    ['bad padding', 'data:image/png;base64,iVBOR=', /not valid base64/],
    ['padding in the middle', 'data:image/png;base64,iV==BORw', /not valid base64/],
    ['empty payload', 'data:image/png;base64,', /empty/],
    ['malformed media type', 'data:image png;base64,iVBORw==', /media type/],
  ])('rejects %s', (_name, uri, pattern) => {
    let failure: unknown;
    try {
      parseDataUri(uri, 'input_image.1', 1024);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(GatewayError);
    const gatewayError = failure as GatewayError;
    expect(gatewayError.code).toBe('invalid_request');
    expect(gatewayError.field).toBe('input_image.1');
    expect(gatewayError.message.startsWith('input_image.1: ')).toBe(true);
    expect(gatewayError.message).toMatch(pattern);
  });
});
