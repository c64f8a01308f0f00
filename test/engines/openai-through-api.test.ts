import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousPrincipal } from '../../src/auth/authenticator.ts';
import type { ImageRequestDraft } from '../../src/domain/image-request.ts';
import { startFakeOpenAiUpstream, type FakeOpenAiUpstream } from '../helpers/fake-openai-upstream.ts';
import { dataUri, patternPng } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { sampleDraft } from '../helpers/sample-job.ts';

const configuredKey = 'sk-darkroom-configured-key';

describe('the openai engine through darkroom (OPENAI_API_KEY + OPENAI_BASE_URL)', () => {
  let fake: FakeOpenAiUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = await startFakeOpenAiUpstream();
    gateway = await startTestGateway({ environment: { OPENAI_API_KEY: configuredKey, OPENAI_BASE_URL: fake.baseUrl } });
  });
  afterAll(async () => {
    await gateway.stop();
    await fake.close();
  });

  it('routes the gpt-image-2 family to openai and answers with its images', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, {
      model: 'gpt-image-2',
      prompt: 'An ox standing in the middle of a long open road at sunset',
      resolution: '1024x1536',
      quality: 'high',
      response_format: 'b64_json',
    });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    expect(response.headers.get('x-darkroom-engine')).toBe('openai');
    const sent = fake.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${configuredKey}`);
    expect(sent?.json).toMatchObject({ model: 'gpt-image-2', size: '1024x1536', quality: 'high', n: 1 });
    const images = response.json.images as Array<{ b64_json: string }>;
    expect(images).toHaveLength(1);
    const jobs = await gateway.store.list({ limit: 50 });
    expect(jobs[0]?.result?.usage).toMatchObject({ outputImageTokens: Math.round((1024 * 1536) / 1000), inputTextTokens: expect.any(Number) });
  });

  it('sends an edit with its input images and the upstream model name', async () => {
    const photo = dataUri(await patternPng(320, 240));
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, {
      model: 'gpt-image-2-edit',
      prompt: 'Place the subject on the moon',
      input_image: [photo, photo],
    });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    expect(response.headers.get('x-darkroom-engine')).toBe('openai');
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe('/v1/images/edits');
    expect(sent?.fields).toContainEqual({ name: 'model', value: 'gpt-image-2' });
    expect(sent?.files.map((file) => file.field)).toEqual(['image[]', 'image[]']);
  });

  it('routes other gpt-image ids OpenAI clients send to openai unchanged', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'gpt-image-1.5', prompt: 'a kite', resolution: '1024x1024' });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    expect(response.headers.get('x-darkroom-engine')).toBe('openai');
    expect(fake.requests.at(-1)?.json?.model).toBe('gpt-image-1.5');
  });

  it('surfaces an upstream moderation rejection as a failed job', async () => {
    fake.faults.push({ kind: 'moderation-blocked', categories: ['violence'], stage: 'input' });
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'gpt-image-2', prompt: 'something rejected', resolution: '1024x1024' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain('safety system');
    const failed = (await gateway.store.list({ limit: 50 })).find((job) => job.request.prompt === 'something rejected');
    expect(failed?.error).toMatchObject({ code: 'content_rejected', details: { categories: ['violence'], moderation_stage: 'input' } });
  });

  it('uses a per-request key for the upstream call and never stores it', async () => {
    const byokKey = 'sk-byok-never-stored-7f3a9c';
    const draft: ImageRequestDraft = sampleDraft({ model: 'gpt-image-2', prompt: 'bring your own key', size: { width: 1024, height: 1024 }, quality: 'low' });
    const [job] = await gateway.jobs.submit(draft, {
      principal: anonymousPrincipal,
      origin: { dialect: 'test', operation: 'generate', extras: {} },
      credentials: { openaiApiKey: byokKey },
    });
    const finished = await gateway.jobs.waitForTerminal(job!.id, { timeoutMs: 10_000 });
    expect(finished.state).toBe('succeeded');
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${byokKey}`);

    expect(JSON.stringify(await gateway.store.findById(job!.id))).not.toContain(byokKey);
    const database = new Database(join(gateway.dataDirectory, 'darkroom.db'), { readonly: true });
    try {
      const rows = database.prepare('SELECT * FROM jobs WHERE id = ?').all(job!.id);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(byokKey);
    } finally {
      database.close();
    }
    // Nor anywhere on disk: database, WAL, event log, blobs.
    const needle = Buffer.from(byokKey);
    const files = readdirSync(gateway.dataDirectory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(join(file.parentPath, file.name)).includes(needle)).toBe(false);
  });
});

describe('an OpenAI-compatible server (DARKROOM_COMPATIBLE_ENGINES + DARKROOM_ROUTES)', () => {
  let fake: FakeOpenAiUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = await startFakeOpenAiUpstream();
    gateway = await startTestGateway({
      environment: {
        DARKROOM_COMPATIBLE_ENGINES: JSON.stringify([
          { id: 'localai', baseUrl: fake.baseUrl, models: { 'sdxl-turbo': 'stablediffusion' }, capabilities: { maxInputImages: 1 }, sizeLimits: { maxEdge: 1024 } },
        ]),
        DARKROOM_ROUTES: 'sdxl-turbo=localai',
      },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await fake.close();
  });

  it('sends a custom model id to the compatible server with its upstream name, keyless', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'sdxl-turbo', prompt: 'a watercolour fox', resolution: '1024x768' });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    expect(response.headers.get('x-darkroom-engine')).toBe('localai');
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe('/v1/images/generations');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.json).toMatchObject({ model: 'stablediffusion', prompt: 'a watercolour fox', size: '1024x768', n: 1 });
  });

  it('fits sizes to the configured limits and keeps gpt-image-2 on the local engine', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'sdxl-turbo', prompt: 'wide', resolution: '1920x1080' });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    expect(fake.requests.at(-1)?.json?.size).toBe('1024x576');
    expect(response.headers.get('x-darkroom-warnings')).toContain('1024x576');
    const local = await postJson(`${gateway.baseUrl}/api/ai/images/generate`, { model: 'gpt-image-2', prompt: 'hello', resolution: '1024x1024' });
    expect(local.headers.get('x-darkroom-engine')).toBe('local');
  });

  it('enforces the configured capabilities before any upstream call', async () => {
    const before = fake.requests.length;
    const photo = dataUri(await patternPng(64, 64));
    const response = await postJson(`${gateway.baseUrl}/api/ai/images/edit`, { model: 'sdxl-turbo', prompt: 'merge', input_image: [photo, photo] });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain('at most 1 input images');
    expect(fake.requests.length).toBe(before);
  });
});
