import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkbench } from '../../src/workbench/bundle-workbench.ts';
import { createWorkbenchRoutes, wantsHtml } from '../../src/workbench/workbench-routes.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('the Workbench at /', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_STORE: 'memory' } });
  });
  afterAll(() => gateway.stop());

  it('serves the HTML page to browsers, with its versioned assets and a same-origin CSP', async () => {
    const response = await fetch(`${gateway.baseUrl}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toMatch(/<script type="module" src="\/workbench\/app\.js\?v=[0-9a-f]{12}"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/workbench\/app\.css\?v=[0-9a-f]{12}">/);
  });

  it('keeps the JSON index for API clients and curl', async () => {
    for (const accept of ['application/json', '*/*', undefined]) {
      const response = await fetch(`${gateway.baseUrl}/`, accept ? { headers: { accept } } : {});
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ name: 'darkroom', models: '/api/ai/models', dialects: expect.arrayContaining(['oxen']) });
    }
  });

  it('serves the bundle gzipped, cacheable for ever under its version and revalidated by ETag otherwise', async () => {
    const html = await (await fetch(`${gateway.baseUrl}/`, { headers: { accept: 'text/html' } })).text();
    const scriptPath = /src="([^"]+)"/.exec(html)?.[1] ?? '';
    const versioned = await fetch(`${gateway.baseUrl}${scriptPath}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers.get('content-encoding')).toBe('gzip');
    expect(await versioned.text()).toContain('/api/ai/models');

    const bare = await fetch(`${gateway.baseUrl}/workbench/app.css`, { headers: { 'accept-encoding': 'identity' } });
    expect(bare.headers.get('cache-control')).toBe('no-cache');
    expect(bare.headers.get('content-encoding')).toBeNull();
    const etag = bare.headers.get('etag') ?? '';
    expect(await bare.text()).toContain('.mask-overlay');
    const revalidated = await fetch(`${gateway.baseUrl}/workbench/app.css`, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
  });

  it('chooses HTML only when the client ranks it above JSON', () => {
    expect(wantsHtml('text/html,application/xhtml+xml')).toBe(true);
    expect(wantsHtml('application/json, text/html')).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });

  it('retries a failed build on the next request instead of caching the failure', async () => {
    let calls = 0;
    const real = await bundleWorkbench();
    const app = createWorkbenchRoutes({
      index: () => ({}),
      bundle: async () => {
        calls += 1;
        if (calls === 1) throw new Error('esbuild exploded');
        return real;
      },
    });
    app.onError((_error, context) => context.text('failed', 500));
    expect((await app.request('/workbench/app.js')).status).toBe(500);
    expect((await app.request('/workbench/app.js')).status).toBe(200);
    expect(calls).toBe(2);
  });
});

describe('bundleWorkbench', () => {
  it('bundles the app into one minified ES module and one stylesheet, pre-gzipped', async () => {
    const bundle = await bundleWorkbench();
    const readable = await bundleWorkbench({ minify: false });
    const script = new TextDecoder().decode(bundle.script.body);
    expect(script).not.toMatch(/^\s*import\s/m);
    expect(bundle.script.body.byteLength).toBeLessThan(readable.script.body.byteLength * 0.7);
    expect(gunzipSync(bundle.style.gzipped).equals(Buffer.from(bundle.style.body))).toBe(true);
    expect(bundle.script.gzipped.byteLength).toBeLessThan(bundle.script.body.byteLength);
  });
});
