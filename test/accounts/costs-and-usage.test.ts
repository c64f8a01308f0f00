import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { bearer, generationIds, send, startAccountsGateway, UsageReportingEngine, type AccountsTestGateway } from './accounts-test-gateway.ts';

describe('job costs, usage and estimates', () => {
  let server: AccountsTestGateway;
  const tokenUsage = { inputTokens: 20, outputTokens: 7296, totalTokens: 7316, inputTextTokens: 20, inputImageTokens: 0, outputTextTokens: 0, outputImageTokens: 7296 };

  beforeAll(async () => {
    server = await startAccountsGateway({
      environment: { DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=wavespeed,tokens-model=tokens,broken-model=broken' },
      engines: [
        new FakeImageEngine('fake'),
        new FakeImageEngine('wavespeed'),
        new UsageReportingEngine('tokens', tokenUsage),
        new FakeImageEngine('broken', { failWith: new GatewayError('content_rejected', 'rejected by the safety system') }),
      ],
      keys: [{ name: 'alice' }, { name: 'bob' }, { name: 'root', admin: true }],
    });
  });
  afterAll(() => server.stop());

  /** Submits to the Oxen queue and waits until the job's cost is recorded. */
  const run = async (key: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const submitted = await send(`${server.baseUrl}/api/ai/queue`, { body: { prompt: 'a lighthouse', ...body }, headers: bearer(key) });
    expect(submitted.status).toBe(200);
    const [id] = generationIds(submitted.json);
    await server.gateway.jobs.waitForTerminal(id!, { timeoutMs: 10_000 });
    await server.gateway.accounts.recorder.idle();
    return (await send(`${server.baseUrl}/api/ai/queue/${id}`, { headers: bearer(key) })).json;
  };

  it('records 0 for the local engine', async () => {
    const generation = await run(server.keys.alice!, { model: 'darkroom-local', resolution: '1024x768' });
    expect(generation).toMatchObject({ status: 'succeeded', cost_usd: 0 });
    expect(server.gateway.accounts.costs.find(String(generation.generation_id))?.cost).toMatchObject({ basis: 'free', engineId: 'local' });
  });

  it('records the table price × images for an engine that reports no usage', async () => {
    const generation = await run(server.keys.alice!, { model: 'gpt-image-2', resolution: '1024x1024', quality: 'high', num_images: 2 });
    expect(generation).toMatchObject({ status: 'succeeded', cost_usd: 0.44 });
    const record = server.gateway.accounts.costs.find(String(generation.generation_id));
    expect(record).toMatchObject({ images: 2, keyId: expect.any(String), cost: { basis: 'table', tier: 'standard', details: { preset: '1024x1024', unit_usd: 0.22 } } });
  });

  it('records the token price when the engine reports usage, keeping the usage', async () => {
    const generation = await run(server.keys.bob!, { model: 'tokens-model', resolution: '1024x1024', quality: 'high' });
    expect(generation.cost_usd).toBe(0.21898);
    const record = server.gateway.accounts.costs.find(String(generation.generation_id));
    expect(record).toMatchObject({ cost: { basis: 'tokens' }, usage: tokenUsage });
  });

  it('records 0 for a failed job', async () => {
    const generation = await run(server.keys.bob!, { model: 'broken-model', resolution: '2560x1440' });
    expect(generation).toMatchObject({ status: 'failed', cost_usd: 0 });
  });

  it("shows a key its own usage and an admin key everyone's, with per-key rows", async () => {
    const alice = await send(`${server.baseUrl}/api/usage?group_by=model`, { headers: bearer(server.keys.alice) });
    expect(alice.status).toBe(200);
    expect(alice.json).toMatchObject({ total_usd: 0.44, total_jobs: 2, total_images: 3 });
    expect(alice.json.rows).toEqual([
      { model: 'darkroom-local', jobs: 1, images: 1, usd: 0 },
      { model: 'gpt-image-2', jobs: 1, images: 2, usd: 0.44 },
    ]);
    const bob = await send(`${server.baseUrl}/api/usage`, { headers: bearer(server.keys.bob) });
    expect(bob.json).toMatchObject({ total_usd: 0.21898, total_jobs: 2, group_by: ['day', 'model'] });
    expect((bob.json.rows as Array<Record<string, unknown>>).every((row) => !('key' in row))).toBe(true);

    const admin = await send(`${server.baseUrl}/api/usage`, { headers: bearer(server.keys.root) });
    expect(admin.json).toMatchObject({ total_usd: 0.65898, total_jobs: 4, group_by: ['day', 'model', 'key'] });
    const rows = admin.json.rows as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.key_name).sort()).toEqual(['alice', 'alice', 'bob', 'bob']);
    const today = new Date().toISOString().slice(0, 10);
    expect(rows.every((row) => row.day === today)).toBe(true);

    const bobId = (await server.gateway.keys.list()).find((record) => record.name === 'bob')?.id;
    const onlyBob = await send(`${server.baseUrl}/api/usage?key=${bobId}&group_by=key`, { headers: bearer(server.keys.root) });
    expect(onlyBob.json).toMatchObject({ total_usd: 0.21898, rows: [{ key_name: 'bob', jobs: 2 }] });
    expect((await send(`${server.baseUrl}/api/usage?key=anything`, { headers: bearer(server.keys.alice) })).status).toBe(403);
    expect((await send(`${server.baseUrl}/api/usage?from=yesterday`, { headers: bearer(server.keys.alice) })).json).toMatchObject({ error: { field: 'from' } });
    const empty = await send(`${server.baseUrl}/api/usage?from=2020-01-01&to=2020-01-31`, { headers: bearer(server.keys.root) });
    expect(empty.json).toMatchObject({ total_usd: 0, rows: [] });
  });

  it('estimates a request before submit in each dialect, without creating a job', async () => {
    const before = server.gateway.accounts.costs.usage({ from: new Date(0), to: new Date(8.64e15), groupBy: [] })[0]?.jobs;
    const estimate = (body: unknown, query = '') => send(`${server.baseUrl}/api/usage/estimate${query}`, { body, headers: bearer(server.keys.alice) });

    const oxen = await estimate({ model: 'gpt-image-2', prompt: 'x', resolution: '1024x1024', quality: 'high', num_images: 2, num_generations: 3 });
    expect(oxen.json).toMatchObject({ usd: 1.32, usd_per_job: 0.44, jobs: 3, basis: 'table', engine: 'fake', tier: 'standard' });
    expect((await estimate({ model: 'gpt-image-2', prompt: 'x', resolution: '3840x2160', quality: 'auto' })).json).toMatchObject({ usd: 0.41, tier: 'high_resolution' });
    expect((await estimate({ model: 'darkroom-local', prompt: 'x' })).json).toMatchObject({ usd: 0, basis: 'free', engine: 'local' });
    // Oxen's default text-to-image size is 1920x1080.
    expect((await estimate({ model: 'tokens-model', prompt: 'x' })).json).toMatchObject({ usd: 0.16, note: expect.stringContaining('tokens') });

    const fal = await estimate({ prompt: 'x', image_size: 'landscape_4_3', quality: 'medium', num_images: 3 }, '?dialect=fal');
    expect(fal.json).toMatchObject({ usd: 0.12, engine: 'fake', model: 'gpt-image-2' });
    const waveSpeed = await estimate({ images: ['https://example.com/a.png'], prompt: 'x', resolution: '2k', quality: 'high' }, '?dialect=wavespeed');
    expect(waveSpeed.json).toMatchObject({ usd: 0.44, engine: 'wavespeed', details: { resolution: '2k' } });
    const openAi = await estimate({ model: 'gpt-image-2', prompt: 'x', size: '1536x1024', quality: 'low', n: 2 }, '?dialect=openai');
    expect(openAi.json).toMatchObject({ usd: 0.02 });

    const invalid = await estimate({ model: 'gpt-image-2', prompt: 'x', quality: 'ultra' });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: { type: 'invalid_params', field: 'quality' } });
    expect((await estimate({ prompt: 'x' }, '?dialect=nope')).status).toBe(400);
    expect(server.gateway.accounts.costs.usage({ from: new Date(0), to: new Date(8.64e15), groupBy: [] })[0]?.jobs).toBe(before);
  });

  it('shows prices in the Oxen model catalog', async () => {
    const catalog = await send(`${server.baseUrl}/api/ai/models`, { headers: bearer(server.keys.alice) });
    const models = catalog.json.data as Array<{ id: string; pricing: Record<string, unknown> }>;
    const byId = (id: string) => models.find((model) => model.id === id)?.pricing;
    expect(byId('gpt-image-2')).toMatchObject({ method: 'token', currency: 'USD', cost_per_image: 0.22, cost_per_image_high_res: 0.23, engine: 'fake' });
    expect(byId('gpt-image-2')?.table).toContainEqual({ size: '2560x1440', tier: 'high_resolution', low: 0.01, medium: 0.06, high: 0.23 });
    expect(byId('gpt-image-2')?.table).toContainEqual({ size: '1920x1080', tier: 'standard', low: 0.01, medium: 0.04, high: 0.16 });
    expect(byId('gpt-image-2-edit')).toMatchObject({ method: 'per_image', cost_per_image: 0.22, engine: 'wavespeed' });
    expect(byId('gpt-image-2-edit')?.table).toContainEqual({ resolution: '4k', tier: 'high_resolution', low: 0.09, medium: 0.18, high: 0.66 });
    expect(byId('darkroom-local')).toMatchObject({ cost_per_image: 0, basis: 'free' });
  });
});
