import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

/** A small deterministic PRNG so a failure can be reproduced from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const weirdValues: unknown[] = [
  null, true, false, 0, -1, 1.5, Number.MAX_VALUE, 'NaN', '', ' ', '\u0000', 'x'.repeat(40_000), [], [[]], {}, { nested: { deeper: [1] } },
  'data:image/png;base64,!!!', 'data:,', 'data:image/png;base64,' + 'A'.repeat(100), 'ftp://example.com/x.png', 'http://127.0.0.1:1/x.png',
  'http://[::1]/x', 'file:///etc/passwd', 'javascript:alert(1)', '1024x768', '99999x99999', 'auto', '4K', '16:9', 'b64_json', -0, 5, 17,
  ['http://10.0.0.1/a.png'], Array.from({ length: 20 }, () => 'data:image/png;base64,AAAA'), { url: 'x' }, '🖼️', '\ud800',
];
const fields = ['model', 'prompt', 'input_image', 'resolution', 'aspect_ratio', 'quality', 'output_format', 'num_images', 'mask_url', 'response_format', 'num_generations', 'seed', 'background', 'output_compression', '__proto__', 'constructor'];
const rawBodies = ['', '{', '[]', 'null', '"string"', '{"model":}', '{"model":"gpt-image-2","prompt":"x"', 'not json at all', '\u0000\u0001', '{"a":1}{"b":2}', '1e999', '{"model":"gpt-image-2","prompt":"x","num_images":1e400}'];

describe('malformed requests never cause a 500, a crash or a stored job', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake', DARKROOM_MAX_BODY_BYTES: '200000' }, extraEngines: [new FakeImageEngine('fake')] });
  });
  afterAll(() => gateway.stop());

  it('answers 4xx to 600 random malformed bodies across every endpoint', async () => {
    const next = random(20261121);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const endpoints = ['/api/ai/images/generate', '/api/ai/images/edit', '/api/ai/queue'];
    const failures: string[] = [];
    let accepted = 0;
    const requests: Array<{ path: string; body: string }> = [];
    for (const body of rawBodies) for (const path of endpoints) requests.push({ path, body });
    while (requests.length < 600) {
      const value: Record<string, unknown> = next() < 0.5 ? { model: pick(['gpt-image-2', 'gpt-image-2-edit', 'nope', 7]), prompt: pick(['x', '', 3, null]) } : {};
      const mutations = 1 + Math.floor(next() * 4);
      for (let index = 0; index < mutations; index += 1) value[pick(fields)] = pick(weirdValues);
      requests.push({ path: pick(endpoints), body: JSON.stringify(value) });
    }
    const batchSize = 20;
    for (let start = 0; start < requests.length; start += batchSize) {
      await Promise.all(
        requests.slice(start, start + batchSize).map(async ({ path, body }) => {
          const response = await fetch(`${gateway.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const text = await response.text();
          // Random mutations sometimes produce a valid request, which is rightly accepted.
          if (response.status === 200) accepted += 1;
          else if (response.status < 400 || response.status >= 500) failures.push(`${response.status} ${path} ${body.slice(0, 200)} → ${text.slice(0, 200)}`);
          else if (!text.includes('"status":"error"')) failures.push(`not Oxen-shaped: ${text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(accepted).toBeLessThan(requests.length / 4);
    // Nothing stored for a rejected request: every job and every stored input belongs to an accepted one.
    const jobs = await gateway.store.list({ limit: 10_000 });
    const distinctRequests = new Set(jobs.map((job) => job.request.prompt + JSON.stringify(job.origin.extras))).size;
    expect(distinctRequests).toBeLessThanOrEqual(accepted);
    const referenced = new Set(jobs.flatMap((job) => [...job.request.inputImages, ...(job.request.mask ? [job.request.mask] : [])].map((image) => image.blobKey)));
    expect((await gateway.blobs.list('inputs/')).filter((key) => !referenced.has(key))).toEqual([]);
    expect((await fetch(`${gateway.baseUrl}/health`)).status).toBe(200);
  });

  it('rejects oversized bodies with 413 and wrong methods/paths with 404', async () => {
    const huge = await fetch(`${gateway.baseUrl}/api/ai/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-image-2', prompt: 'x'.repeat(300_000) }) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ status: 'error', error: { field: 'body' } });
    expect((await fetch(`${gateway.baseUrl}/api/ai/nothing-here`)).status).toBe(404);
  });
});
