import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { SignedBlobUrls } from '../blobs/signed-blob-urls.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Dialect, DialectServices } from '../dialects/dialect.ts';
import type { AppEnv } from '../dialects/shared/app-env.ts';
import { createWorkbenchRoutes } from '../workbench/workbench-routes.ts';

export type AppOptions = {
  services: DialectServices;
  dialects: readonly Dialect[];
  blobs: BlobStore;
  urls: SignedBlobUrls;
};

/** The HTTP surface: health, signed file downloads, and every dialect's routes at the root. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', async (context, next) => {
    const started = performance.now();
    await next();
    // Time darkroom itself spent before the response started (for streams, until headers).
    context.res.headers.set('x-darkroom-overhead-ms', (performance.now() - started).toFixed(2));
  });

  app.get('/health', (context) => context.json({ status: 'ok' }));

  app.on(['GET', 'HEAD'], '/files/*', async (context) => {
    const key = decodeURIComponent(context.req.path.slice('/files/'.length));
    if (!options.urls.verify(key, context.req.query('expires'), context.req.query('signature'))) {
      return context.json({ error: { message: 'The link is invalid or has expired', code: 'forbidden' } }, 403);
    }
    const blob = await options.blobs.get(key);
    if (!blob) return context.json({ error: { message: 'File not found', code: 'not_found' } }, 404);
    const headers = {
      'content-type': blob.mediaType,
      'content-length': String(blob.byteLength),
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
    };
    if (context.req.method === 'HEAD') return context.body(null, 200, headers);
    return context.body(blob.data as Uint8Array<ArrayBuffer>, 200, headers);
  });

  for (const dialect of options.dialects) app.route('/', dialect.createRoutes(options.services));

  // Browsers get the Workbench at `/`; API clients (Accept: application/json, curl) keep the JSON index.
  app.route(
    '/',
    createWorkbenchRoutes({
      index: () => ({
        name: 'darkroom',
        description: 'Self-hostable image generation and editing API for the GPT Image 2 family',
        health: '/health',
        models: '/api/ai/models',
        workbench: '/',
        dialects: options.dialects.map((dialect) => dialect.dialectId),
      }),
    }),
  );
  app.notFound((context) => context.json({ error: { message: `No route for ${context.req.method} ${context.req.path}`, code: 'not_found' } }, 404));
  app.onError((error, context) => {
    console.error(error);
    return context.json({ error: { message: 'Internal error', code: 'internal' } }, 500);
  });
  return app;
}
