import { GatewayError } from '../../domain/gateway-error.ts';

/** Called between steps: sharp work in flight cannot be interrupted, but nothing new starts once aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new GatewayError('cancelled', 'The request was cancelled', { cause: signal.reason });
}
