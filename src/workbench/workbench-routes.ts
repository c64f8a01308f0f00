import { Hono, type Context } from 'hono';
import type { AppEnv } from '../dialects/shared/app-env.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { bundleWorkbench, type BundledAsset, type WorkbenchBundle } from './bundle-workbench.ts';
import { workbenchPage } from './workbench-page.ts';

export type WorkbenchRouteOptions = {
  /** The JSON answer at `/` for API clients (anything that does not ask for HTML). */
  index: () => JsonObject;
  /** Tests inject a bundler; the default bundles `src/workbench/app` with esbuild. */
  bundle?: () => Promise<WorkbenchBundle>;
};

// Same-origin only: the Workbench talks to the server that served it; images may come from anywhere.
const contentSecurityPolicy =
  "default-src 'self'; img-src * data: blob:; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The Workbench at `/` (HTML for browsers, the JSON index for everyone else) and its two assets. The bundle
 * is built on the first request and kept in memory; a failed build is retried on the next request.
 */
export function createWorkbenchRoutes(options: WorkbenchRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const bundle = options.bundle ?? (() => bundleWorkbench());
  let pending: Promise<WorkbenchBundle> | undefined;
  const load = (): Promise<WorkbenchBundle> => {
    pending ??= bundle().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };

  app.get('/', async (context) => {
    if (!wantsHtml(context.req.header('accept'))) return context.json(options.index());
    const { version } = await load();
    return context.html(workbenchPage(version), 200, {
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });
  app.get('/workbench/app.js', async (context) => {
    const loaded = await load();
    return serveAsset(context, loaded.script, loaded.version);
  });
  app.get('/workbench/app.css', async (context) => {
    const loaded = await load();
    return serveAsset(context, loaded.style, loaded.version);
  });
  return app;
}

/** Browsers list text/html first; `curl` (`*∕*`) and API clients keep getting JSON, as before the Workbench. */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((entry) => entry.split(';')[0]?.trim().toLowerCase());
  const html = types.indexOf('text/html');
  const json = types.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}

function serveAsset(context: Context<AppEnv>, asset: BundledAsset, version: string): Response {
  // A versioned URL never changes content, so browsers may keep it; the bare URL is revalidated.
  const versioned = context.req.query('v') === version;
  const headers: Record<string, string> = {
    'content-type': asset.mediaType,
    etag: asset.etag,
    'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  if (context.req.header('if-none-match') === asset.etag) return context.body(null, 304, headers);
  const gzip = /\bgzip\b/.test(context.req.header('accept-encoding') ?? '');
  const body = gzip ? asset.gzipped : asset.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.byteLength);
  return context.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}
