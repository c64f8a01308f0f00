import type { Dialect, DialectServices } from '../dialect.ts';
import { authenticate, createDialectApp } from '../shared/create-dialect-app.ts';
import { falPrefixes } from './fal-apps.ts';
import { FalJobs } from './fal-jobs.ts';
import { falProxyTarget } from './fal-proxy-target.ts';
import { mountFalQueueRoutes } from './fal-queue-routes.ts';
import { mountFalRunRoutes } from './fal-run-routes.ts';
import { mountFalStorageRoutes } from './fal-storage-routes.ts';
import { toFalError } from './to-fal-error.ts';
import { toFalWebhookPayload } from './to-fal-response.ts';

/**
 * fal.ai's queue, sync-run, streaming and storage APIs for the gpt-image-2 apps, mounted per fal host under
 * `/fal/queue`, `/fal/run` and `/fal/rest`, plus fal's proxy protocol at `/api/fal/proxy` so an unmodified
 * `@fal-ai/client` (`proxyUrl: {url, when: "always"}`) drives darkroom.
 */
export const falDialect: Dialect = {
  dialectId: 'fal',
  createRoutes(services: DialectServices) {
    const app = createDialectApp(toFalError);
    const falJobs = new FalJobs(services);
    for (const prefix of [falPrefixes.queue, falPrefixes.run, falPrefixes.rest]) app.use(`${prefix}/*`, authenticate(services));
    mountFalQueueRoutes(app, services, falJobs);
    mountFalRunRoutes(app, services, falJobs);
    mountFalStorageRoutes(app, services);

    // The proxy re-dispatches into these same routes: method, headers (auth included) and body unchanged.
    app.all(falPrefixes.proxy, (context) => {
      const target = new URL(falProxyTarget(context.req.header('x-fal-target-url')), context.req.url);
      const headers = new Headers(context.req.raw.headers);
      headers.delete('x-fal-target-url');
      const hasBody = context.req.method !== 'GET' && context.req.method !== 'HEAD';
      const request = new Request(target, {
        method: context.req.method,
        headers,
        signal: context.req.raw.signal,
        ...(hasBody ? { body: context.req.raw.body, duplex: 'half' } : {}),
      } as RequestInit);
      return app.fetch(request, context.env);
    });
    return app;
  },
  toWebhookPayload(job, urls) {
    // Webhooks are built without blob reads, so even `sync_mode` results travel as signed URLs here.
    return toFalWebhookPayload(job, (job.result?.images ?? []).map((image) => urls.sign(image.blobKey)));
  },
};
