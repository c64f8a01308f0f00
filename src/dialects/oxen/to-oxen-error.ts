import type { GatewayError, GatewayErrorCode } from '../../domain/gateway-error.ts';
import type { WireError } from '../shared/create-dialect-app.ts';

const oxenTypes: Partial<Record<GatewayErrorCode, string>> = {
  invalid_request: 'invalid_params',
  payload_too_large: 'invalid_params',
  unsupported_media_type: 'invalid_params',
  unsupported_operation: 'invalid_params',
  content_rejected: 'invalid_params',
  unauthorized: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'resource_not_found',
};

/** Oxen's error envelope: `{error:{type,title,detail}, status:"error", status_message}` plus darkroom's code and field. */
export function toOxenError(error: GatewayError): WireError {
  const type = oxenTypes[error.code] ?? (error.status >= 500 ? 'unknown_error' : error.code);
  return {
    status: error.status,
    body: {
      error: {
        type,
        title: error.status >= 500 && error.code === 'internal' ? 'Internal error' : error.message,
        detail: error.message,
        code: error.code,
        ...(error.field ? { field: error.field } : {}),
      },
      status: 'error',
      status_message: type,
    },
  };
}
