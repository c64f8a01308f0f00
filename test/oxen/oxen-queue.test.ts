import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const poll = async (url: string, until: (body: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await getJson(url);
    if (until(json) || Date.now() > deadline) return json;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('Oxen async queue', () => {
  let gateway: TestGateway;
  const fake = new FakeImageEngine('fake', { delayMs: 50 });

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'gpt-image-2=fake,gpt-image-2-edit=fake', DARKROOM_ENGINE_CONCURRENCY: 'fake=1' }, extraEngines: [fake] });
  });
  afterAll(() => gateway.stop());

  it('enqueues num_generations jobs, then each reaches succeeded with a result URL and timestamps', async () => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'queued ox', num_generations: 2, resolution: '1024x768', target_namespace: 'ignored' });
    expect(response.status).toBe(200);
    const generations = response.json.generations as Array<{ generation_id: string; status: string }>;
    expect(generations).toHaveLength(2);
    expect(generations.every((generation) => generation.status === 'queued')).toBe(true);
    for (const { generation_id } of generations) {
      const done = await poll(`${gateway.baseUrl}/api/ai/queue/${generation_id}`, (body) => ['succeeded', 'failed', 'cancelled'].includes(String(body.status)));
      expect(done).toMatchObject({
        generation_id,
        model_name: 'gpt-image-2',
        prompt: 'queued ox',
        media_type: 'image',
        status: 'succeeded',
        error_message: null,
        resolution: '1024x768',
        enqueued_at: expect.any(Number),
        started_at: expect.any(Number),
        completed_at: expect.any(Number),
      });
      expect(String(done.result_url)).toContain('/files/results/');
      expect((await fetch(String(done.result_url))).status).toBe(200);
    }
  });

  it('cancels queued and running generations; terminal ones are left as they are', async () => {
    fake.behaviour = { delayMs: 2000 };
    const first = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'slow' });
    const second = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'slow too' });
    const runningId = (first.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
    const queuedId = (second.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
    await poll(`${gateway.baseUrl}/api/ai/queue/${runningId}`, (body) => body.status === 'processing');
    const listed = await getJson(`${gateway.baseUrl}/api/ai/queue`);
    expect((listed.json.generations as Array<{ generation_id: string }>).map((generation) => generation.generation_id)).toEqual(
      expect.arrayContaining([runningId, queuedId]),
    );
    expect(listed.json.count).toBe((listed.json.generations as unknown[]).length);
    const cancelQueued = await fetch(`${gateway.baseUrl}/api/ai/queue/${queuedId}`, { method: 'DELETE' });
    expect(await cancelQueued.json()).toEqual({ status: 'success', generation_id: queuedId, generation_status: 'cancelled' });
    const started = Date.now();
    await fetch(`${gateway.baseUrl}/api/ai/queue/${runningId}`, { method: 'DELETE' });
    const cancelled = await poll(`${gateway.baseUrl}/api/ai/queue/${runningId}`, () => gateway.runner.activeJobCount === 0);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1900);
    expect(cancelled.result_url).toBeNull();
    fake.behaviour = {};
    const history = await getJson(`${gateway.baseUrl}/api/ai/queue?status=cancelled`);
    expect((history.json.generations as unknown[]).length).toBe(2);
    const again = await fetch(`${gateway.baseUrl}/api/ai/queue/${runningId}`, { method: 'DELETE' });
    expect((await again.json()) as object).toMatchObject({ generation_status: 'cancelled' });
  });

  it('fails generations with error_message and answers 404 in Oxen shape for unknown ids', async () => {
    const missing = await getJson(`${gateway.baseUrl}/api/ai/queue/does-not-exist`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { type: 'resource_not_found' }, status: 'error', status_message: 'resource_not_found' });
    const bad = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'x', num_generations: 5 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('num_generations');
  });

  it('retries retryable engine failures and records the final failure', async () => {
    fake.calls.length = 0;
    fake.behaviour = { failFirst: 1 };
    const retried = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: 'flaky' });
    const id = (retried.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
    const done = await poll(`${gateway.baseUrl}/api/ai/queue/${id}`, (body) => body.status === 'succeeded' || body.status === 'failed', 15_000);
    expect(done.status).toBe('succeeded');
    expect(fake.calls.length).toBe(2);
    fake.behaviour = {};
  });

  it('answers 503 with Retry-After when the queue is full', async () => {
    const small = await startTestGateway({ environment: { DARKROOM_QUEUE_CAPACITY: '2', DARKROOM_ROUTES: 'gpt-image-2=slow', DARKROOM_ENGINE_CONCURRENCY: 'slow=1' }, extraEngines: [new FakeImageEngine('slow', { delayMs: 3000 })] });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let index = 0; index < 5; index += 1) {
        const response = await postJson(`${small.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt: `job ${index}` });
        statuses.push(response.status);
        if (response.status === 503) retryAfter = response.headers.get('retry-after');
      }
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(3);
      expect(statuses).toContain(503);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await small.stop();
    }
  });
});
