import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { bearer, generationIds, send, startAccountsGateway, type AccountsTestGateway } from './accounts-test-gateway.ts';

describe('budgets, rate limits and invalid keys', () => {
  let server: AccountsTestGateway;
  const metered = new FakeImageEngine('metered', { delayMs: 300 });
  const counting = new FakeImageEngine('counting');
  const slow = new FakeImageEngine('slow', { delayMs: 800 });
  const quick = new FakeImageEngine('quick');

  beforeAll(async () => {
    server = await startAccountsGateway({
      environment: { DARKROOM_ROUTES: 'budget-model=metered,rpm-model=counting,slow-model=slow,quick-model=quick' },
      engines: [metered, counting, slow, quick],
      keys: [
        { name: 'thrifty', limits: { monthlyBudgetUsd: 0.1 } },
        { name: 'dollar', limits: { monthlyBudgetUsd: 1 } },
        { name: 'paced', limits: { rpm: 5 } },
        { name: 'narrow', limits: { concurrency: 2 } },
        { name: 'free' },
      ],
    });
  });
  afterAll(() => server.stop());

  const submit = (key: string | undefined, body: Record<string, unknown>) =>
    send(`${server.baseUrl}/api/ai/queue`, { body: { prompt: 'a lighthouse', resolution: '1024x1024', quality: 'high', ...body }, headers: bearer(key) });
  const keyId = async (name: string) => (await server.gateway.keys.list()).find((record) => record.name === name)?.id ?? '';
  const jobsOf = async (name: string) => server.gateway.store.list({ ownerKeyId: await keyId(name), limit: 1000 });

  it('refuses a request over the monthly budget with 402 before any work, in the dialect\u2019s error shape', async () => {
    const refused = await submit(server.keys.thrifty, { model: 'budget-model' });
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({
      error: { type: 'payment_required', code: 'payment_required' },
      status: 'error',
    });
    expect(String((refused.json.error as { detail: string }).detail)).toMatch(/monthly budget of \$0\.10.*estimated at \$0\.22/);
    const openAi = await send(`${server.baseUrl}/v1/images/generations`, { body: { model: 'budget-model', prompt: 'x', size: '1024x1024', quality: 'high' }, headers: bearer(server.keys.thrifty) });
    expect(openAi.status).toBe(402);
    expect(openAi.json).toMatchObject({ error: { type: 'insufficient_quota' } });
    expect(metered.calls).toHaveLength(0);
    expect(await jobsOf('thrifty')).toHaveLength(0);
    // Free engines stay usable on a spent budget.
    expect((await submit(server.keys.thrifty, { model: 'darkroom-local', resolution: '1024x768' })).status).toBe(200);
  });

  it('admits exactly what the budget affords when 50 submits arrive at once', async () => {
    // $1.00 budget, $0.22 per request: 4 fit.
    const responses = await Promise.all(Array.from({ length: 50 }, () => submit(server.keys.dollar, { model: 'budget-model' })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(4);
    expect(statuses.filter((status) => status === 402)).toHaveLength(46);
    const admitted = responses.flatMap((response) => generationIds(response.json));
    for (const id of admitted) await server.gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
    await server.gateway.accounts.recorder.idle();
    expect(await jobsOf('dollar')).toHaveLength(4);
    expect(metered.calls).toHaveLength(4);
    const usage = await send(`${server.baseUrl}/api/usage`, { headers: bearer(server.keys.dollar) });
    expect(usage.json).toMatchObject({ total_usd: 0.88, budget: { monthly_budget_usd: 1, spent_this_month_usd: 0.88, reserved_usd: 0, remaining_usd: 0.12 } });
    // Spent money counts like reserved money did.
    expect((await submit(server.keys.dollar, { model: 'budget-model' })).status).toBe(402);
    expect((await submit(server.keys.dollar, { model: 'budget-model', quality: 'low' })).status).toBe(200);
  });

  it('limits requests per minute with 429, Retry-After and RateLimit headers, before any engine call', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => submit(server.keys.paced, { model: 'rpm-model' })));
    const admitted = responses.filter((response) => response.status === 200);
    const limited = responses.filter((response) => response.status === 429);
    expect(admitted).toHaveLength(5);
    expect(limited).toHaveLength(15);
    for (const response of [...admitted, ...limited]) expect(response.headers.get('ratelimit-policy')).toBe('"rpm";q=5;w=60');
    expect(admitted.map((response) => response.headers.get('ratelimit')).sort()).toEqual([0, 1, 2, 3, 4].map((remaining) => expect.stringMatching(new RegExp(`^"rpm";r=${remaining};t=\\d+$`))));
    for (const response of limited) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(response.headers.get('ratelimit')).toMatch(/^"rpm";r=0;t=\d+$/);
      expect(response.json).toMatchObject({ error: { type: 'rate_limited', code: 'rate_limited' } });
    }
    for (const id of admitted.flatMap((response) => generationIds(response.json))) await server.gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
    expect(counting.calls).toHaveLength(5);
    expect(await jobsOf('paced')).toHaveLength(5);
    // Keys without limits get no RateLimit headers.
    expect((await send(`${server.baseUrl}/api/ai/queue`, { headers: bearer(server.keys.free) })).headers.get('ratelimit')).toBeNull();
  });

  it('limits queued plus running jobs per key', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => submit(server.keys.narrow, { model: 'slow-model' })));
    const admitted = responses.filter((response) => response.status === 200);
    const limited = responses.filter((response) => response.status === 429);
    expect(admitted).toHaveLength(2);
    expect(limited).toHaveLength(3);
    for (const response of limited) {
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('ratelimit-policy')).toBe('"concurrency";q=2;qu="concurrent-requests"');
      expect(String((response.json.error as { detail: string }).detail)).toMatch(/at most 2 queued or running jobs/);
    }
    expect((await submit(server.keys.narrow, { model: 'slow-model', num_generations: 3 })).status).toBe(429);
    for (const id of admitted.flatMap((response) => generationIds(response.json))) await server.gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
    await server.gateway.accounts.recorder.idle();
    const again = await submit(server.keys.narrow, { model: 'slow-model', num_generations: 2 });
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit')).toBe('"concurrency";r=2');
    for (const id of generationIds(again.json)) await server.gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
    expect(slow.calls).toHaveLength(4);
  });

  it('answers a flood of invalid keys with 401 without touching an engine, looking each key up once', async () => {
    const lookUps: string[] = [];
    const keys = server.gateway.keys;
    const original = keys.findActiveByHash.bind(keys);
    keys.findActiveByHash = async (hash) => {
      lookUps.push(hash);
      return original(hash);
    };
    try {
      const random = await Promise.all(Array.from({ length: 200 }, (_, index) => submit(`dk_invalid${index}`, { model: 'quick-model' })));
      expect(random.every((response) => response.status === 401)).toBe(true);
      expect(random[0]?.json).toMatchObject({ error: { type: 'unauthenticated', detail: 'Invalid API key' } });
      const repeated = await Promise.all(Array.from({ length: 200 }, () => submit('dk_the_same_wrong_key', { model: 'quick-model' })));
      expect(repeated.every((response) => response.status === 401)).toBe(true);
      expect(lookUps.length).toBe(201);
      expect((await submit(undefined, { model: 'quick-model' })).status).toBe(401);
      expect(quick.calls).toHaveLength(0);
      expect(await server.gateway.store.list({ model: 'quick-model', limit: 10 })).toHaveLength(0);
    } finally {
      keys.findActiveByHash = original;
    }
  });
});
