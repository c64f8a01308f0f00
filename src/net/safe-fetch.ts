import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import { GatewayError } from '../domain/gateway-error.ts';
import { createAddressPolicy, type AddressPolicy } from './address-policy.ts';

export type SafeFetchOptions = {
  /** Hostnames (`*.` wildcards allowed), IP literals or CIDRs that may be reached even when private. */
  allowlist: string[];
  /** Redirect hops followed by `fetchBytes`; one more is an error. */
  maxRedirects?: number;
  /** Total time budget per call, including every redirect hop and the body. */
  timeoutMs?: number;
  /** Default body size cap for `fetchBytes`. */
  maxBytes?: number;
  /** `dns.lookup`-compatible resolver; injectable so tests never touch real DNS. */
  lookup?: LookupFunction;
  userAgent?: string;
};

export type FetchBytesResult = { data: Uint8Array; contentType: string | undefined; finalUrl: string };

export type SafeRequestInit = {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Named at the start of error messages; defaults to `webhook_url`. */
  field?: string;
};

export type SafeRequestResult = { status: number; headers: Headers; bodyText: string };

export interface SafeFetch {
  /** GETs an image URL, following at most `maxRedirects` re-validated redirects, with a streamed size cap. */
  fetchBytes(url: string, options: { field: string; maxBytes?: number; signal?: AbortSignal }): Promise<FetchBytesResult>;
  /** Sends one request (webhooks): redirects are not followed, the answer body is truncated to 64 KB. */
  request(url: string, init: SafeRequestInit): Promise<SafeRequestResult>;
}

const defaultMaxRedirects = 3;
const defaultTimeoutMs = 30_000;
const defaultMaxBytes = 50 * 1024 * 1024;
const requestBodyLimit = 64 * 1024;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Raised inside the connect-time lookup; mapped to a GatewayError once the field is known. */
class BlockedAddressError extends Error {
  readonly code = 'ERR_DARKROOM_BLOCKED_ADDRESS';
  readonly address: string;

  constructor(address: string) {
    super(`blocked address ${address}`);
    this.name = 'BlockedAddressError';
    this.address = address;
  }
}

const systemLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, callback);
};

function toAddressList(address: string | LookupAddress[], family: number | undefined): LookupAddress[] {
  if (Array.isArray(address)) return address;
  return [{ address, family: family ?? isIP(address) }];
}

/**
 * Wraps the resolver used by the socket itself, so the address that gets connected to is exactly the one
 * checked (no time-of-check/time-of-use gap for DNS rebinding). Any blocked address fails the whole lookup.
 */
function createGuardedLookup(policy: AddressPolicy, lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    const wantsAll = options.all === true;
    let answered = false;
    const fail = (error: NodeJS.ErrnoException): void => callback(error, wantsAll ? [] : '');
    const onResolved = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number): void => {
      if (answered) return;
      answered = true;
      if (error) return fail(error);
      const addresses = toAddressList(address, family);
      const first = addresses[0];
      if (first === undefined) {
        return fail(Object.assign(new Error(`no addresses found for ${hostname}`), { code: 'ENOTFOUND' }));
      }
      if (!policy.isHostAllowlisted(hostname)) {
        const blocked = addresses.find((entry) => !policy.isAddressAllowed(entry.address));
        if (blocked !== undefined) return fail(new BlockedAddressError(blocked.address));
      }
      if (wantsAll) callback(null, addresses);
      else callback(null, first.address, first.family);
    };
    try {
      lookup(hostname, { ...options, all: true }, onResolved);
    } catch (error) {
      onResolved(error instanceof Error ? error : new Error(String(error)), '');
    }
  };
}

function blockedAddressError(field: string, address: string): GatewayError {
  return new GatewayError(
    'invalid_request',
    `${field}: the URL resolves to a private or reserved address (${address}), which is not allowed; add the host to DARKROOM_FETCH_ALLOWLIST to permit it`,
    { field },
  );
}

/** Parses and checks a URL (or a redirect Location relative to `base`) before any connection is made. */
function validateUrl(policy: AddressPolicy, rawUrl: string, field: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(rawUrl, base);
  } catch {
    const what = base === undefined ? 'is not a valid URL' : 'redirected to an invalid URL';
    throw new GatewayError('invalid_request', `${field}: ${what}`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.slice(0, -1);
    const prefix = base === undefined ? 'the URL' : 'the redirect';
    throw new GatewayError('invalid_request', `${field}: ${prefix} scheme "${scheme}" is not allowed; use http or https`, { field });
  }
  if (url.username !== '' || url.password !== '') {
    throw new GatewayError('invalid_request', `${field}: URLs with credentials (user:password@) are not allowed`, { field });
  }
  // The WHATWG parser has already turned decimal/octal/hex IPv4 forms into dotted decimal here.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname === '') throw new GatewayError('invalid_request', `${field}: the URL has no host`, { field });
  // Sockets skip the lookup for IP literals, so literals must be judged here.
  if (isIP(hostname) !== 0 && !policy.isAddressAllowed(hostname)) throw blockedAddressError(field, hostname);
  return url;
}

type Deadline = {
  signal: AbortSignal;
  /** Why the signal fired: our timer, the caller, or undefined when we aborted it ourselves. */
  reason(): 'timeout' | 'cancelled' | undefined;
  abort(): void;
  dispose(): void;
};

/** One signal for the whole call: the total time budget combined with the caller's cancellation. */
function createDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let reason: 'timeout' | 'cancelled' | undefined;
  const timer = setTimeout(() => {
    reason ??= 'timeout';
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = (): void => {
    reason ??= 'cancelled';
    controller.abort();
  };
  if (callerSignal?.aborted === true) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => reason,
    abort: () => controller.abort(),
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

const reasonsByCode: Record<string, string> = {
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'connecting timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_HEADERS_TIMEOUT: 'the server did not answer in time',
  UND_ERR_BODY_TIMEOUT: 'the server stopped sending the body',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate is not trusted',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host',
};

/** Every failure leaves as a GatewayError whose message starts with the field name. */
function toFetchFailure(error: unknown, field: string, deadline: Deadline, timeoutMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const reason = deadline.reason();
  if (reason === 'cancelled') {
    return new GatewayError('cancelled', `${field}: the request was cancelled`, { field, cause: error });
  }
  if (reason === 'timeout') {
    return new GatewayError('invalid_request', `${field}: fetching the URL timed out after ${timeoutMs} ms`, { field, cause: error });
  }
  const chain = errorChain(error);
  const blocked = chain.find((entry): entry is BlockedAddressError => entry instanceof BlockedAddressError);
  if (blocked !== undefined) return blockedAddressError(field, blocked.address);
  for (const entry of chain) {
    const code = errorCode(entry);
    const known = code === undefined ? undefined : reasonsByCode[code];
    if (known !== undefined) {
      return new GatewayError('invalid_request', `${field}: fetching the URL failed: ${known}`, { field, cause: error });
    }
  }
  const last = chain[chain.length - 1];
  const detail = last instanceof Error ? last.message : 'unknown error';
  return new GatewayError('invalid_request', `${field}: fetching the URL failed: ${detail}`, { field, cause: error });
}

function tooLarge(field: string, limit: number): GatewayError {
  return new GatewayError('payload_too_large', `${field}: the response is larger than the limit of ${limit} bytes`, { field });
}

/** Collects a body of at most `limit` bytes; more fails at once and closes the connection. */
async function readNodeBody(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number, field: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) {
      body.destroy();
      throw tooLarge(field, limit);
    }
    chunks.push(chunk);
  }
  const joined = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total);
  // Buffers from Node's shared pool expose other data through `.buffer`: copy those.
  const ownsBuffer = joined.byteOffset === 0 && joined.byteLength === joined.buffer.byteLength;
  return ownsBuffer ? new Uint8Array(joined.buffer, 0, joined.byteLength) : new Uint8Array(joined);
}

/**
 * Streams the body, stopping as soon as more than `limit` bytes arrived: `fail` throws payload_too_large,
 * `truncate` keeps the first `limit` bytes. Cancelling the stream closes the connection early.
 */
async function readBody(response: Response, limit: number, onOverflow: 'fail' | 'truncate', field: string): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      await reader.cancel().catch(() => undefined);
      if (onOverflow === 'fail') throw tooLarge(field, limit);
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return data;
}

function withDefaultUserAgent(headers: Record<string, string>, userAgent: string): Record<string, string> {
  const hasUserAgent = Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent');
  return hasUserAgent ? headers : { 'user-agent': userAgent, ...headers };
}

/** Creates a fetcher that only reaches public addresses, or hosts/addresses on the allowlist. */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const policy = createAddressPolicy(options.allowlist);
  const maxRedirects = options.maxRedirects ?? defaultMaxRedirects;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const userAgent = options.userAgent ?? 'darkroom';
  const dispatcher = new Agent({ connect: { lookup: createGuardedLookup(policy, options.lookup ?? systemLookup) } });

  async function fetchBytes(
    url: string,
    fetchOptions: { field: string; maxBytes?: number; signal?: AbortSignal },
  ): Promise<FetchBytesResult> {
    const { field } = fetchOptions;
    const limit = fetchOptions.maxBytes ?? maxBytes;
    const deadline = createDeadline(timeoutMs, fetchOptions.signal);
    try {
      let current = validateUrl(policy, url, field);
      for (let hop = 0; ; hop += 1) {
        // undici's plain request API: the WHATWG fetch layer (Request, Headers, web streams) costs more
        // than the rest of a small download.
        const response = await dispatcher.request({
          origin: current.origin,
          path: `${current.pathname}${current.search}`,
          method: 'GET',
          signal: deadline.signal,
          headers: { 'user-agent': userAgent, accept: 'image/*, */*;q=0.8' },
        });
        const header = (name: string): string | undefined => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        if (redirectStatuses.has(response.statusCode)) {
          const location = header('location');
          await response.body.dump().catch(() => undefined);
          if (location === undefined) {
            throw new GatewayError('invalid_request', `${field}: the server answered HTTP ${response.statusCode} without a Location header`, { field });
          }
          if (hop >= maxRedirects) {
            throw new GatewayError('invalid_request', `${field}: too many redirects (more than ${maxRedirects})`, { field });
          }
          current = validateUrl(policy, location, field, current);
          continue;
        }
        if (response.statusCode < 200 || response.statusCode > 299) {
          await response.body.dump().catch(() => undefined);
          throw new GatewayError('invalid_request', `${field}: fetching the URL failed with HTTP ${response.statusCode}`, { field });
        }
        const declaredLength = Number(header('content-length') ?? Number.NaN);
        if (Number.isFinite(declaredLength) && declaredLength > limit) {
          response.body.destroy();
          throw tooLarge(field, limit);
        }
        const data = await readNodeBody(response.body, limit, field);
        return { data, contentType: header('content-type'), finalUrl: current.href };
      }
    } catch (error) {
      // Tear down anything still in flight (a half-read body keeps its socket otherwise).
      const failure = toFetchFailure(error, field, deadline, timeoutMs);
      deadline.abort();
      throw failure;
    } finally {
      deadline.dispose();
    }
  }

  async function request(url: string, init: SafeRequestInit): Promise<SafeRequestResult> {
    const field = init.field ?? 'webhook_url';
    const budget = init.timeoutMs ?? timeoutMs;
    const deadline = createDeadline(budget, init.signal);
    try {
      const target = validateUrl(policy, url, field);
      const response = await fetch(target.href, {
        dispatcher,
        method: init.method,
        // Redirects are never followed for webhooks: a 3xx is the receiver's answer.
        redirect: 'manual',
        signal: deadline.signal,
        headers: withDefaultUserAgent(init.headers, userAgent),
        ...(init.body === undefined ? {} : { body: init.body }),
      });
      const body = await readBody(response, requestBodyLimit, 'truncate', field);
      const headers = new Headers();
      response.headers.forEach((value, name) => headers.append(name, value));
      return { status: response.status, headers, bodyText: new TextDecoder().decode(body) };
    } catch (error) {
      const failure = toFetchFailure(error, field, deadline, budget);
      deadline.abort();
      throw failure;
    } finally {
      deadline.dispose();
    }
  }

  return { fetchBytes, request };
}

const base64Pattern = /^[A-Za-z0-9+/_-]*={0,2}$/;
const mediaTypePattern = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * Decodes a `data:<type>;base64,<payload>` URI. The decoded size is computed from the payload length and
 * checked before decoding, so an oversized URI never allocates its decoded buffer.
 */
export function parseDataUri(uri: string, field: string, maxBytes: number): { data: Uint8Array; mediaType: string } {
  const invalid = (reason: string): GatewayError => new GatewayError('invalid_request', `${field}: ${reason}`, { field });
  if (!/^data:/i.test(uri)) throw invalid('is not a data URI');
  const comma = uri.indexOf(',');
  if (comma === -1) throw invalid('the data URI has no "," before its payload');
  const parameters = uri.slice('data:'.length, comma).split(';').map((part) => part.trim());
  if (parameters.length < 2 || parameters[parameters.length - 1]?.toLowerCase() !== 'base64') {
    throw invalid('only base64 data URIs (data:<type>;base64,...) are supported');
  }
  const mediaType = (parameters[0] ?? '').toLowerCase() || 'text/plain';
  if (!mediaTypePattern.test(mediaType)) throw invalid(`the data URI media type "${mediaType}" is malformed`);

  const rawPayload = uri.slice(comma + 1);
  const payload = /\s/.test(rawPayload) ? rawPayload.replace(/\s+/g, '') : rawPayload;
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const decodedLength = Math.floor((payload.length * 3) / 4) - padding;
  if (decodedLength > maxBytes) {
    throw new GatewayError('payload_too_large', `${field}: the data URI decodes to more than the limit of ${maxBytes} bytes`, { field });
  }
  if (payload.length === 0) throw invalid('the data URI is empty');
  const wellFormed = base64Pattern.test(payload) && (padding === 0 ? payload.length % 4 !== 1 : payload.length % 4 === 0);
  if (!wellFormed) throw invalid('the data URI payload is not valid base64');
  const decoded = Buffer.from(payload, 'base64');
  // Small buffers live in Node's shared pool; copy those so `data.buffer` exposes nothing else.
  const ownsBuffer = decoded.byteOffset === 0 && decoded.byteLength === decoded.buffer.byteLength;
  const data = ownsBuffer ? new Uint8Array(decoded.buffer, 0, decoded.byteLength) : new Uint8Array(decoded);
  return { data, mediaType };
}
