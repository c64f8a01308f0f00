import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { readSse } from '../helpers/sse-client.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('API keys and tenancy', () => {
  let gateway: TestGateway;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'gpt-image-2=fake' }, extraEngines: [new FakeImageEngine('fake')] });
  });
  afterAll(() => gateway.stop());

  it('runs open while no key exists', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'open mode' });
    expect(response.status).toBe(200);
  });

  it('requires a key once one exists (Bearer or Key), rejecting bad ones with 401', async () => {
    alice = (await gateway.keys.create('alice', new Date())).key;
    bob = (await gateway.keys.create('bob', new Date())).key;
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the open-mode check is cached briefly
    const anonymous = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { type: 'unauthenticated' } });
    const wrong = await getJson(`${gateway.baseUrl}/api/ai/queue`, { authorization: 'Bearer dk_wrong' });
    expect(wrong.status).toBe(401);
    const withKey = await getJson(`${gateway.baseUrl}/api/ai/queue`, { authorization: `Key ${alice}` });
    expect(withKey.status).toBe(200);
  });

  it('shows each key only its own jobs and events', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'alice only' }, { authorization: `Bearer ${alice}` });
    const id = (submitted.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
    await gateway.jobs.waitForTerminal(id, { timeoutMs: 5000 });
    expect((await getJson(`${gateway.baseUrl}/api/ai/queue/${id}`, { authorization: `Bearer ${alice}` })).status).toBe(200);
    expect((await getJson(`${gateway.baseUrl}/api/ai/queue/${id}`, { authorization: `Bearer ${bob}` })).status).toBe(404);
    const bobCancel = await fetch(`${gateway.baseUrl}/api/ai/queue/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${bob}` } });
    expect(bobCancel.status).toBe(404);
    const bobList = await getJson(`${gateway.baseUrl}/api/ai/queue?status=all`, { authorization: `Bearer ${bob}` });
    expect(bobList.json.count).toBe(0);
    const aliceList = await getJson(`${gateway.baseUrl}/api/ai/queue?status=all`, { authorization: `Bearer ${alice}` });
    expect((aliceList.json.generations as Array<{ generation_id: string }>).map((generation) => generation.generation_id)).toEqual([id]);
    const bobEvents = await readSse(`${gateway.baseUrl}/api/events`, { headers: { authorization: `Bearer ${bob}`, 'last-event-id': '0' }, until: () => false, timeoutMs: 800 });
    expect(bobEvents.events.some((event) => event.data.includes(id))).toBe(false);
    const aliceEvents = await readSse(`${gateway.baseUrl}/api/events`, { headers: { authorization: `Bearer ${alice}`, 'last-event-id': '0' }, until: (events) => events.some((event) => event.event === 'media_generation_completed'), timeoutMs: 3000 });
    expect(aliceEvents.events.some((event) => event.data.includes(id))).toBe(true);
  });

  it('stops accepting a revoked key', async () => {
    await gateway.keys.revoke('bob', new Date());
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await getJson(`${gateway.baseUrl}/api/ai/queue`, { authorization: `Bearer ${bob}` })).status).toBe(401);
  });
});
