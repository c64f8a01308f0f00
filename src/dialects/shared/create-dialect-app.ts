import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { GatewayError, toGatewayError } from '../../domain/gateway-error.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from './app-env.ts';

export type WireError = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A Hono sub-app whose every error, thrown anywhere in its routes or middleware, is turned into the
 * dialect's own wire shape in one place. Unknown errors become 500s without leaking their message.
 */
export function createDialectApp(toWireError: (error: GatewayError) => WireError, log?: (message: string) => void): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((caught, context) => {
    const error = toGatewayError(caught);
    if (error.code === 'internal') log?.(`internal error on ${context.req.method} ${context.req.path}: ${String((error.cause as Error | undefined)?.stack ?? error.cause)}`);
    return sendWireError(context, error, toWireError);
  });
  return app;
}

export function sendWireError(context: Context, error: GatewayError, toWireError: (error: GatewayError) => WireError): Response {
  const wire = toWireError(error);
  const headers: Record<string, string> = { ...wire.headers };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return context.json(wire.body as object, wire.status as 400, headers);
}

/**
 * Resolves the caller's key (or open mode) before any work; 401s use the dialect's error shape. Then, with
 * accounts configured: the key's requests-per-minute limit (429 + RateLimit headers) and `Idempotency-Key`
 * on POSTs, so every dialect's submits get both. Runs once per request even if mounted on overlapping paths.
 */
export function authenticate(services: DialectServices): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    if (context.get('principal') !== undefined) return next();
    const principal = await services.authenticator.authenticate(context.req.header('authorization'));
    context.set('principal', principal);
    if (!services.accounts) return next();
    services.accounts.admitRequest(principal, (name, value) => context.header(name, value));
    return services.accounts.idempotent(context, next);
  };
}

/**
 * Rejects bodies over the limit: by the declared `content-length` when there is one (node:http never reads
 * past it), otherwise while a chunked body streams in, not after buffering it. Only the chunked case touches
 * the body stream, which on node:http costs building a full WHATWG Request.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new GatewayError('payload_too_large', `body: request body is larger than ${maxBytes} bytes`, { field: 'body' });
  const streamed = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (context, next) => {
    const declared = context.req.header('content-length');
    const chunked = context.req.header('transfer-encoding') !== undefined;
    if (!chunked && declared === undefined) return next();
    if (!chunked) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    return streamed(context, next);
  };
}

/** Parses a JSON object body; malformed JSON or a non-object is a 400 naming `body`. */
export async function readJsonObject(context: Context): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await context.req.text();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('invalid_request', 'body: the request body could not be read', { field: 'body', cause: error });
  }
  if (text.trim() === '') throw GatewayError.invalid('body', 'a JSON object is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw GatewayError.invalid('body', 'malformed JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw GatewayError.invalid('body', 'must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
