import type { GatewayError, GatewayErrorCode } from '../../domain/gateway-error.ts';
import type { WireError } from '../shared/create-dialect-app.ts';

/** Request problems WaveSpeed answers with a plain 400 ("bad params"), whatever darkroom's finer code. */
const badParams: ReadonlySet<GatewayErrorCode> = new Set(['invalid_request', 'unsupported_operation', 'unsupported_media_type', 'content_rejected']);

/**
 * WaveSpeed's error envelope `{code, message, data:null}`, `code` repeating the HTTP status. Failed tasks
 * are not errors (they are HTTP 200 predictions with `status:"failed"`); this is for the request itself.
 */
export function toWaveSpeedError(error: GatewayError): WireError {
  const status = badParams.has(error.code) ? 400 : error.status;
  const message = error.code === 'internal' ? 'Internal error' : error.message;
  return { status, body: { code: status, message, data: null } };
}
