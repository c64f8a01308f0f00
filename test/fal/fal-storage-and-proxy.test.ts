import { fal, type ApiError } from '@fal-ai/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternPng } from '../helpers/image-fixtures.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const maxInputBytes = 64 * 1024;

describe('fal storage uploads, the proxy protocol and keys', () => {
  let gateway: TestGateway;
  let photo: Uint8Array<ArrayBuffer>;
  const initiate = (body: unknown, headers: Record<string, string> = {}) => postJson(`${gateway.baseUrl}/fal/rest/storage/upload/initiate?storage_type=fal-cdn-v3`, body, headers);

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_MAX_INPUT_BYTES: String(maxInputBytes) } });
    photo = new Uint8Array(await patternPng(48, 32));
  });
  afterAll(() => gateway.stop());

  it('initiates an upload on darkroom, stores the PUT under uploads/<id>/<safe-name>, and serves file_url', async () => {
    const { status, json } = await initiate({ content_type: 'image/png', file_name: '../My Photo (1).png' });
    expect(status).toBe(200);
    const uploadUrl = String(json.upload_url);
    const fileUrl = String(json.file_url);
    expect(uploadUrl.startsWith(gateway.urls.absolute('/fal/uploads/'))).toBe(true);
    expect(fileUrl).toMatch(/\/files\/uploads\/[0-9a-f-]+\/My_Photo_1_\.png\?expires=/);
    const put = await fetch(uploadUrl, { method: 'PUT', body: photo, headers: { 'content-type': 'image/png' } });
    expect(put.status).toBe(200);
    const key = gateway.urls.resolveOwnUrl(fileUrl);
    expect(key).toMatch(/^uploads\/[0-9a-f-]+\/My_Photo_1_\.png$/);
    expect(Buffer.from((await gateway.blobs.get(key!))!.data).equals(Buffer.from(photo))).toBe(true);
    const download = await fetch(fileUrl);
    expect([download.status, download.headers.get('content-type')]).toEqual([200, 'image/png']);
  });

  it('refuses tampered upload URLs, stores non-image types as octet-stream, and caps the size', async () => {
    const { json } = await initiate({ content_type: 'text/html', file_name: 'page.html' });
    const uploadUrl = String(json.upload_url);
    const forged = uploadUrl.replace('page.html', 'other.html');
    expect((await fetch(forged, { method: 'PUT', body: 'x' })).status).toBe(403);
    // A download link signs the blob key, not the upload capability: it cannot authorise a PUT.
    const fileUrl = new URL(String(json.file_url));
    const withDownloadSignature = `${uploadUrl.split('?')[0]}${fileUrl.search}`;
    expect((await fetch(withDownloadSignature, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(uploadUrl, { method: 'PUT', body: '<script>alert(1)</script>', headers: { 'content-type': 'text/html' } })).status).toBe(200);
    expect((await fetch(String(json.file_url))).headers.get('content-type')).toBe('application/octet-stream');
    const big = await initiate({ content_type: 'image/png', file_name: 'big.png' });
    const tooLarge = await fetch(String(big.json.upload_url), { method: 'PUT', body: new Uint8Array(maxInputBytes + 1), headers: { 'content-type': 'image/png' } });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error_type: 'request_too_large' });
  });

  it('routes by x-fal-target-url: queue, run and rest hosts map to darkroom routes with method and body unchanged', async () => {
    const proxy = `${gateway.baseUrl}/api/fal/proxy`;
    const submitted = await postJson(proxy, { prompt: 'proxied' }, { 'x-fal-target-url': 'https://queue.fal.run/openai/gpt-image-2?fal_webhook=https://hooks.example.com/x' });
    expect(submitted.json.status).toBe('IN_QUEUE');
    const job = await gateway.jobs.waitForTerminal(String(submitted.json.request_id), { timeoutMs: 5000 });
    expect(job.origin.webhookUrl).toBe('https://hooks.example.com/x');
    const status = await getJson(proxy, { 'x-fal-target-url': `https://queue.fal.run/openai/gpt-image-2/requests/${job.id}/status?logs=1` });
    expect(status.json).toMatchObject({ status: 'COMPLETED', logs: expect.arrayContaining([expect.objectContaining({ message: 'Completed' })]) });
    const uploaded = await postJson(proxy, { content_type: 'image/png', file_name: 'a.png' }, { 'x-fal-target-url': 'https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3' });
    expect(uploaded.json).toHaveProperty('upload_url');
    const run = await postJson(proxy, { prompt: 'proxied run', image_size: 'square' }, { 'x-fal-target-url': 'https://fal.run/fal-ai/gpt-image-2' });
    expect(run.json).toMatchObject({ images: [{ width: 512, height: 512 }] });
  });

  it('answers 400 Invalid request without a fal target, and 404 for fal hosts darkroom does not serve', async () => {
    const proxy = `${gateway.baseUrl}/api/fal/proxy`;
    for (const headers of [{} as Record<string, string>, { 'x-fal-target-url': 'https://example.com/openai/gpt-image-2' }, { 'x-fal-target-url': 'not a url' }, { 'x-fal-target-url': 'https://fal.run.example.com/x' }]) {
      const response = await postJson(proxy, { prompt: 'x' }, headers);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ detail: expect.stringMatching(/^Invalid request/), error_type: 'bad_request' });
      expect(response.headers.get('x-fal-error-type')).toBe('bad_request');
    }
    const other = await getJson(proxy, { 'x-fal-target-url': 'https://ws.fal.run/openai/gpt-image-2' });
    expect(other.status).toBe(404);
  });

  it('accepts Authorization: Key from @fal-ai/client once keys exist, and rejects a missing key with 401', async () => {
    const { key } = await gateway.keys.create('fal-user', new Date());
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the open-mode check is cached briefly
    fal.config({ proxyUrl: { url: `${gateway.baseUrl}/api/fal/proxy`, when: 'always' }, credentials: key });
    const fileUrl = await fal.storage.upload(new Blob([photo], { type: 'image/png' }));
    const result = await fal.subscribe('openai/gpt-image-2/edit', { input: { prompt: 'make it black and white', image_urls: [fileUrl] }, pollInterval: 25 });
    expect(result.data).toMatchObject({ images: [{ width: 48, height: 32 }] });
    const anonymous = await postJson(`${gateway.baseUrl}/fal/queue/openai/gpt-image-2`, { prompt: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error_type: 'unauthorized' });
    fal.config({ proxyUrl: { url: `${gateway.baseUrl}/api/fal/proxy`, when: 'always' }, credentials: 'wrong-key' });
    const failure = (await fal.queue.submit('openai/gpt-image-2', { input: { prompt: 'x' } }).catch((error: unknown) => error)) as ApiError<unknown>;
    expect(failure.status).toBe(401);
  });
});
