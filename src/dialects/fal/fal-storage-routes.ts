import type { Hono } from 'hono';
import { GatewayError } from '../../domain/gateway-error.ts';
import { newId } from '../../domain/ids.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { falPrefixes } from './fal-apps.ts';

/** How long an `upload_url` accepts its PUT. */
const uploadUrlTtlSeconds = 3600;
/** `file_url` lifetime: long enough to submit, retry and share, like fal's CDN links (lifecycle header can shorten it). */
const defaultFileUrlTtlSeconds = 7 * 24 * 3600;
const maxFileUrlTtlSeconds = 30 * 24 * 3600;

/** Types served back from `/files/` as-is; anything else is stored as octet-stream so it can never render as a page. */
const servableTypes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif', 'image/heic', 'image/bmp', 'image/tiff']);

/** A file name that is a valid blob-key segment: `My Photo (1).PNG` → `My_Photo_1_.PNG`. */
export function safeUploadName(fileName: unknown): string {
  const baseName = (typeof fileName === 'string' ? fileName : '').split(/[\\/]/).at(-1) ?? '';
  const cleaned = baseName
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[.]+/, '')
    .slice(0, 100);
  return cleaned === '' ? 'file' : cleaned;
}

function lifecycleTtlSeconds(header: string | undefined): number {
  if (!header) return defaultFileUrlTtlSeconds;
  try {
    const seconds = (JSON.parse(header) as { expiration_duration_seconds?: unknown }).expiration_duration_seconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return Math.min(Math.ceil(seconds), maxFileUrlTtlSeconds);
  } catch {
    // A malformed preference is ignored, as fal does for unknown lifecycle settings.
  }
  return defaultFileUrlTtlSeconds;
}

/** Upload signatures sign this name, not the blob key, so a download link can never authorise an overwrite. */
const uploadCapability = (id: string, name: string): string => `fal-upload/${id}/${name}`;

/**
 * fal's storage flow (`rest.fal.ai`): `initiate` hands out a signed darkroom `upload_url` and a long-lived
 * signed `file_url`; the PUT stores the bytes under `uploads/<id>/<name>`, where ingestion reads them directly.
 */
export function mountFalStorageRoutes(app: Hono<AppEnv>, services: DialectServices): void {
  const { urls, blobs, settings } = services;

  app.post(`${falPrefixes.rest}/storage/upload/initiate`, limitBody(64 * 1024), async (context) => {
    const body = await readJsonObject(context);
    const id = newId();
    const name = safeUploadName(body.file_name);
    const signed = new URL(urls.sign(uploadCapability(id, name), uploadUrlTtlSeconds));
    const query = `expires=${signed.searchParams.get('expires') ?? ''}&signature=${signed.searchParams.get('signature') ?? ''}`;
    const ttl = lifecycleTtlSeconds(context.req.header('x-fal-object-lifecycle'));
    return context.json({
      upload_url: urls.absolute(`${falPrefixes.uploads}/${id}/${encodeURIComponent(name)}?${query}`),
      file_url: urls.sign(`uploads/${id}/${name}`, ttl),
    });
  });

  app.post(`${falPrefixes.rest}/storage/upload/initiate-multipart`, () => {
    throw new GatewayError('payload_too_large', `Multipart uploads are for files above 90 MB; darkroom accepts files up to ${settings.maxInputBytes} bytes`);
  });

  app.put(`${falPrefixes.uploads}/:id/:name`, limitBody(settings.maxInputBytes), async (context) => {
    const { id, name } = context.req.param();
    if (!urls.verify(uploadCapability(id, name), context.req.query('expires'), context.req.query('signature'))) {
      throw new GatewayError('forbidden', 'The upload URL is invalid or has expired');
    }
    const data = new Uint8Array(await context.req.arrayBuffer());
    if (data.byteLength === 0) throw GatewayError.invalid('body', 'the upload is empty');
    const mediaType = (context.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    await blobs.put(`uploads/${id}/${name}`, data, { mediaType: servableTypes.has(mediaType) ? mediaType : 'application/octet-stream' });
    return context.body(null, 200);
  });
}
