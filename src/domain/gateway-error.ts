import type { JsonValue } from './json-value.ts';

export type GatewayErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'conflict'
  | 'payment_required'
  | 'rate_limited'
  | 'queue_full'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'content_rejected'
  | 'unsupported_operation'
  | 'timeout'
  | 'cancelled'
  | 'internal';

const defaults: Record<GatewayErrorCode, { status: number; retryable: boolean }> = {
  invalid_request: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  conflict: { status: 409, retryable: false },
  // A key's budget would be exceeded: retrying only helps after the budget is raised or a new month starts.
  payment_required: { status: 402, retryable: false },
  rate_limited: { status: 429, retryable: true },
  queue_full: { status: 503, retryable: true },
  upstream_error: { status: 502, retryable: true },
  upstream_rate_limited: { status: 429, retryable: true },
  content_rejected: { status: 400, retryable: false },
  unsupported_operation: { status: 422, retryable: false },
  timeout: { status: 504, retryable: true },
  cancelled: { status: 499, retryable: false },
  internal: { status: 500, retryable: false },
};

export type GatewayErrorOptions = {
  status?: number;
  retryable?: boolean;
  /** The request field the error is about, in dotted form (`input_image.0`). */
  field?: string;
  /** Seconds a client should wait before retrying (429/503). */
  retryAfterSeconds?: number;
  details?: JsonValue;
  cause?: unknown;
};

/** The one error type of darkroom: a code, an HTTP status and whether a retry may succeed. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly details: JsonValue | undefined;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? defaults[code].status;
    this.retryable = options.retryable ?? defaults[code].retryable;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  static invalid(field: string, reason: string): GatewayError {
    return new GatewayError('invalid_request', `${field}: ${reason}`, { field });
  }

  static is(value: unknown): value is GatewayError {
    return value instanceof GatewayError;
  }
}

/** Anything thrown becomes a GatewayError; unknown errors are internal and keep their cause. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new GatewayError('cancelled', 'The request was cancelled', { cause: error });
  }
  return new GatewayError('internal', 'Internal error', { cause: error });
}

/** The part of an error that may be stored and shown to clients. */
export type PublicError = { code: GatewayErrorCode; message: string; field?: string; details?: JsonValue };

export function toPublicError(error: GatewayError): PublicError {
  const publicError: PublicError = { code: error.code, message: error.message };
  if (error.field !== undefined) publicError.field = error.field;
  if (error.details !== undefined) publicError.details = error.details;
  return publicError;
}
