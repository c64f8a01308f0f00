import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { bearer, send, startAccountsGateway, type AccountsTestGateway } from './accounts-test-gateway.ts';

describe('admin API', () => {
  let server: AccountsTestGateway;

  beforeAll(async () => {
    server = await startAccountsGateway({
      environment: { DARKROOM_ROUTES: 'gpt-image-2=fake' },
      engines: [new FakeImageEngine('fake')],
      keys: [{ name: 'root', admin: true }, { name: 'plain' }],
    });
  });
  afterAll(() => server.stop());

  const admin = (path: string, options: { method?: string; body?: unknown } = {}, key = server.keys.root) =>
    send(`${server.baseUrl}/api/admin/keys${path}`, { ...options, headers: bearer(key) });

  it('is for admin keys only: 401 without a key, 403 for an ordinary key', async () => {
    expect((await send(`${server.baseUrl}/api/admin/keys`)).status).toBe(401);
    expect((await send(`${server.baseUrl}/api/admin/keys`, { headers: bearer('dk_unknown') })).status).toBe(401);
    const forbidden = await admin('', {}, server.keys.plain);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toMatchObject({ error: { type: 'forbidden' } });
    expect((await admin('', { method: 'POST', body: { name: 'sneaky', admin: true } }, server.keys.plain)).status).toBe(403);
    expect((await server.gateway.keys.list()).map((record) => record.name)).not.toContain('sneaky');
  });

  it('creates a key with limits, showing it once, and lists keys without it', async () => {
    const created = await admin('', { method: 'POST', body: { name: 'team-a', rpm: 1, concurrency: 3, monthly_budget_usd: 25 } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ object: 'api_key', name: 'team-a', admin: false, rpm: 1, concurrency: 3, monthly_budget_usd: 25, spent_this_month_usd: 0, revoked_at: null });
    const key = String(created.json.key);
    expect(key).toMatch(/^dk_/);
    const listed = await admin('');
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect((listed.json.data as Array<{ name: string; prefix: string }>).find((entry) => entry.name === 'team-a')?.prefix).toBe(key.slice(0, 11));
    // The limits apply: one request per minute.
    expect((await send(`${server.baseUrl}/api/ai/queue`, { headers: bearer(key) })).status).toBe(200);
    const limited = await send(`${server.baseUrl}/api/ai/queue`, { headers: bearer(key) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toContain('"rpm";q=1;w=60');
    expect((await admin('', { method: 'POST', body: { name: '' } })).json).toMatchObject({ error: { field: 'name' } });
    expect((await admin('', { method: 'POST', body: { name: 'x', rpm: 0 } })).json).toMatchObject({ error: { field: 'rpm' } });
  });

  it('changes limits and budgets, and clears them with null', async () => {
    const created = await admin('', { method: 'POST', body: { name: 'team-b', monthly_budget_usd: 5 } });
    const id = String(created.json.id);
    const changed = await admin(`/${id}`, { method: 'PATCH', body: { rpm: 120, monthly_budget_usd: null, admin: true } });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ id, rpm: 120, concurrency: null, monthly_budget_usd: null, admin: true });
    expect((await server.gateway.keys.list()).find((record) => record.id === id)?.limits).toEqual({ rpm: 120, concurrency: undefined, monthlyBudgetUsd: undefined });
    expect((await admin(`/${id}`, { method: 'PATCH', body: {} })).status).toBe(400);
    expect((await admin(`/${id}`, { method: 'PATCH', body: { rpm: -1 } })).status).toBe(400);
    expect((await admin('/no-such-key', { method: 'PATCH', body: { rpm: 1 } })).status).toBe(404);
  });

  it('revokes a key, which stops working', async () => {
    const created = await admin('', { method: 'POST', body: { name: 'temporary' } });
    const revoked = await admin(`/${String(created.json.id)}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toEqual(expect.any(Number));
    expect((await send(`${server.baseUrl}/api/ai/queue`, { headers: bearer(String(created.json.key)) })).status).toBe(401);
    expect((await admin(`/${String(created.json.id)}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('admin API in open mode', () => {
  it('still needs an admin key, while usage answers for the anonymous caller', async () => {
    const server = await startAccountsGateway();
    try {
      expect((await send(`${server.baseUrl}/api/admin/keys`)).status).toBe(401);
      const usage = await send(`${server.baseUrl}/api/usage`);
      expect(usage.status).toBe(200);
      expect(usage.json).toMatchObject({ total_usd: 0, rows: [], budget: { monthly_budget_usd: null } });
    } finally {
      await server.stop();
    }
  });
});
