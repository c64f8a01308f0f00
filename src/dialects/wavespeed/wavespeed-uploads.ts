import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { SignedBlobUrls } from '../../blobs/signed-blob-urls.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import { sniffImageType } from '../../imaging/sniff-image-type.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { authenticate, limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { parseWith } from '../shared/zod-error.ts';
import { uploadTicketSchema } from './wavespeed-wire-schemas.ts';

/** WaveSpeed keeps uploads for 7 days; the download link lives as long. */
const downloadTtlSeconds = 7 * 24 * 3600;
const ticketTtlSeconds = 3600;
/** Room for the multipart framing around the file itself. */
const multipartOverheadBytes = 64 * 1024;
const uploadIdPattern = /^[0-9a-f-]{36}$/;

/** A file name safe as one blob-key segment: letters, digits, `_`, `-`, `.`; never empty or dot-led. */
export function safeUploadName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '').slice(-100);
  return cleaned === '' || cleaned === '_' ? 'file' : cleaned;
}

/**
 * What an upload URL's signature covers. It names the declared size and is not a blob key, so a
 * download link (signed over `uploads/<id>/<name>`) never authorises a PUT, and a ticket never a download.
 */
const ticketSubject = (uploadId: string, name: string, size: number): string => `upload-tickets/${uploadId}/${size}/${name}`;

/** The PUT URL of a ticket: darkroom's own, signed with the same HMAC as download links. */
function ticketUrl(urls: SignedBlobUrls, uploadId: string, name: string, size: number): string {
  const signed = new URL(urls.sign(ticketSubject(uploadId, name, size), ticketTtlSeconds));
  const query = new URLSearchParams({ size: String(size), expires: signed.searchParams.get('expires') ?? '', signature: signed.searchParams.get('signature') ?? '' });
  return urls.absolute(`/api/v3/media/uploads/${uploadId}/${encodeURIComponent(name)}?${query.toString()}`);
}

/** Only images are kept: darkroom's inputs are png, jpeg or webp, checked by their magic bytes. */
function imageTypeOf(bytes: Uint8Array, field: string): string {
  const mediaType = sniffImageType(bytes);
  if (!mediaType) throw new GatewayError('unsupported_media_type', `${field}: only png, jpeg and webp images can be uploaded`, { field });
  return mediaType;
}

const success = (context: Context, data: Record<string, unknown>) => context.json({ code: 200, message: 'success', data });

/**
 * WaveSpeed's media uploads: the one-request multipart `upload/binary`, and the ticket flow of the
 * `wavespeed` SDK 0.3 (`POST /media/uploads` → a signed darkroom PUT URL). Files land under
 * `uploads/<id>/<name>`; the returned `download_url` is a signed darkroom link usable as an input image.
 */
export function addWaveSpeedUploadRoutes(app: Hono<AppEnv>, services: DialectServices): void {
  const { urls, blobs, settings } = services;
  const maxBytes = settings.maxInputBytes;
  const store = async (uploadId: string, name: string, bytes: Uint8Array, mediaType: string) => {
    const key = `uploads/${uploadId}/${name}`;
    await blobs.put(key, bytes, { mediaType });
    return urls.sign(key, downloadTtlSeconds);
  };

  app.post('/api/v3/media/upload/binary', authenticate(services), limitBody(maxBytes + multipartOverheadBytes), async (context) => {
    const form = await context.req.parseBody().catch((error: unknown) => {
      throw new GatewayError('invalid_request', 'body: expected multipart/form-data with a "file" field', { field: 'body', cause: error });
    });
    const file = form.file;
    if (!(file instanceof File)) throw GatewayError.invalid('file', 'required: the file to upload, as a multipart file field');
    if (file.size > maxBytes) throw new GatewayError('payload_too_large', `file: ${file.size} bytes is above the limit of ${maxBytes}`, { field: 'file' });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const name = safeUploadName(file.name);
    const downloadUrl = await store(randomUUID(), name, bytes, imageTypeOf(bytes, 'file'));
    return success(context, { type: 'image', download_url: downloadUrl, filename: name, size: bytes.byteLength });
  });

  app.post('/api/v3/media/uploads', authenticate(services), limitBody(64 * 1024), async (context) => {
    const ticket = parseWith(uploadTicketSchema, await readJsonObject(context));
    if (ticket.size > maxBytes) throw new GatewayError('payload_too_large', `size: ${ticket.size} bytes is above the limit of ${maxBytes}`, { field: 'size' });
    if (ticket.content_type !== undefined && !ticket.content_type.toLowerCase().startsWith('image/')) {
      throw new GatewayError('unsupported_media_type', `content_type: darkroom stores images only (png, jpeg, webp), not ${ticket.content_type}`, { field: 'content_type' });
    }
    const uploadId = randomUUID();
    const name = safeUploadName(ticket.filename);
    return success(context, {
      download_url: urls.sign(`uploads/${uploadId}/${name}`, downloadTtlSeconds),
      filename: name,
      size: ticket.size,
      upload: {
        url: ticketUrl(urls, uploadId, name, ticket.size),
        method: 'PUT',
        headers: { 'content-type': ticket.content_type ?? 'application/octet-stream' },
        expires_in: ticketTtlSeconds,
      },
    });
  });

  // No API key here: the signed URL is the capability, as with an object store's pre-signed PUT.
  app.put('/api/v3/media/uploads/:uploadId/:name', limitBody(maxBytes), async (context) => {
    const { uploadId, name } = context.req.param();
    const size = Number(context.req.query('size'));
    const valid =
      uploadIdPattern.test(uploadId) && name === safeUploadName(name) && Number.isSafeInteger(size) &&
      urls.verify(ticketSubject(uploadId, name, size), context.req.query('expires'), context.req.query('signature'));
    if (!valid) throw new GatewayError('forbidden', 'The upload URL is invalid or has expired; ask POST /api/v3/media/uploads for a new one');
    const bytes = new Uint8Array(await context.req.arrayBuffer());
    if (bytes.byteLength !== size) throw GatewayError.invalid('body', `received ${bytes.byteLength} bytes, but the upload ticket declared ${size}`);
    const mediaType = imageTypeOf(bytes, 'body');
    if (await blobs.head(`uploads/${uploadId}/${name}`)) throw new GatewayError('conflict', 'This upload URL has already been used');
    const downloadUrl = await store(uploadId, name, bytes, mediaType);
    return success(context, { download_url: downloadUrl, filename: name, size });
  });
}
