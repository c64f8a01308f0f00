import { GatewayError } from '../../domain/gateway-error.ts';
import { falPrefixes } from './fal-apps.ts';

/** fal's own proxies accept only these hosts (`libs/proxy`: `*.fal.ai`, `*.fal.run`). */
const falHostPattern = /(^|\.)fal\.(ai|run)$/;

const prefixByHost: Record<string, string> = {
  'queue.fal.run': falPrefixes.queue,
  'fal.run': falPrefixes.run,
  'rest.fal.ai': falPrefixes.rest,
  'rest.alpha.fal.ai': falPrefixes.rest,
};

/**
 * The darkroom path (with query) for an `x-fal-target-url`, e.g. `https://queue.fal.run/openai/gpt-image-2?fal_webhook=…`
 * → `/fal/queue/openai/gpt-image-2?fal_webhook=…`. Pure; a missing or non-fal target is fal's 400 `Invalid request`.
 */
export function falProxyTarget(targetUrl: string | undefined): string {
  if (!targetUrl) throw new GatewayError('invalid_request', 'Invalid request: the x-fal-target-url header is required');
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    throw new GatewayError('invalid_request', 'Invalid request: x-fal-target-url is not a URL');
  }
  const host = url.hostname.toLowerCase();
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !falHostPattern.test(host)) {
    throw new GatewayError('invalid_request', `Invalid request: x-fal-target-url must point at a fal host, not ${host || targetUrl}`);
  }
  const prefix = prefixByHost[host];
  if (!prefix) throw new GatewayError('not_found', `darkroom does not serve the fal host ${host}`);
  return `${prefix}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
}
