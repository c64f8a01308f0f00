import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { readSse } from '../helpers/sse-client.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('Oxen /api/events', () => {
  let gateway: TestGateway;
  const fake = new FakeImageEngine('fake', { delayMs: 100 });

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'gpt-image-2=fake', DARKROOM_KEEPALIVE_SECONDS: '1' }, extraEngines: [fake] });
  });
  afterAll(() => gateway.stop());

  const enqueue = async (prompt: string) => {
    const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2', prompt });
    return (response.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
  };

  it('streams media_generation_completed with an id on every event, plus keep-alive comments', async () => {
    const streaming = readSse(`${gateway.baseUrl}/api/events`, {
      until: (events) => events.some((event) => event.event === 'media_generation_completed' && event.data.includes(id)),
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const id = await enqueue('stream me');
    const result = await streaming;
    expect(result.contentType).toContain('text/event-stream');
    expect(result.comments).toContain('keep-alive');
    const completed = result.events.find((event) => event.event === 'media_generation_completed' && event.data.includes(id));
    expect(JSON.parse(completed!.data)).toMatchObject({ generation_id: id, status: 'succeeded', media_type: 'image', model: 'gpt-image-2', url: expect.stringContaining('/files/') });
    const ours = result.events.filter((event) => event.data.includes(id));
    expect(ours.map((event) => event.event)).toEqual(['media_generation_queued', 'media_generation_started', 'media_generation_completed']);
    expect(ours.every((event) => /^\d+$/.test(event.id ?? ''))).toBe(true);
    const ids = ours.map((event) => Number(event.id));
    expect([...ids].sort((left, right) => left - right)).toEqual(ids);
  });

  it('pads completions to 8 KB for curl (so `curl | awk` flushes) and for no other client', async () => {
    let id = 'pending';
    const until = (events: Array<{ event: string | undefined; data: string }>) =>
      events.some((event) => event.event === 'media_generation_completed' && event.data.includes(id));
    const asCurl = readSse(`${gateway.baseUrl}/api/events`, { headers: { 'user-agent': 'curl/8.5.0' }, until });
    const asBrowser = readSse(`${gateway.baseUrl}/api/events`, { headers: { 'user-agent': 'Mozilla/5.0' }, until });
    await new Promise((resolve) => setTimeout(resolve, 50));
    id = await enqueue('padded for curl only');
    const [curl, browser] = await Promise.all([asCurl, asBrowser]);
    expect(curl.comments).toContain(''); // the padding: a comment of spaces
    expect(curl.rawLength - browser.rawLength).toBeGreaterThanOrEqual(8192);
    expect(browser.events.map((event) => event.event)).toEqual(curl.events.map((event) => event.event));
  });

  it('replays everything after Last-Event-ID so a reconnecting client misses nothing', async () => {
    let idA = 'not yet';
    const marker = readSse(`${gateway.baseUrl}/api/events`, {
      until: (events) => events.some((event) => event.event === 'media_generation_queued' && event.data.includes(idA)),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    idA = await enqueue('before disconnect');
    const lastSeen = (await marker).events.find((event) => event.data.includes(idA))!.id!;
    // Disconnected now; these happen while the client is away.
    const idB = await enqueue('while away');
    await gateway.jobs.waitForTerminal(idB, { timeoutMs: 5000 });
    await gateway.jobs.waitForTerminal(idA, { timeoutMs: 5000 });
    const resumed = await readSse(`${gateway.baseUrl}/api/events`, {
      headers: { 'last-event-id': lastSeen },
      until: (events) => events.filter((event) => event.event === 'media_generation_completed').length >= 2,
    });
    const completions = resumed.events.filter((event) => event.event === 'media_generation_completed').map((event) => JSON.parse(event.data).generation_id);
    expect(completions).toEqual(expect.arrayContaining([idA, idB]));
    expect(resumed.events.every((event) => Number(event.id) > Number(lastSeen))).toBe(true);
  });

  it('shows a just-finished generation to a client that connects after enqueueing', async () => {
    const id = await enqueue('fast one');
    await gateway.jobs.waitForTerminal(id, { timeoutMs: 5000 });
    const late = await readSse(`${gateway.baseUrl}/api/events`, {
      until: (events) => events.some((event) => event.data.includes(id)),
      timeoutMs: 3000,
    });
    const event = late.events.find((entry) => entry.data.includes(id));
    expect(event?.event).toBe('media_generation_completed');
    expect(JSON.parse(event!.data)).toMatchObject({ status: 'succeeded' });
  });

  it('reports failures with an error and no url', async () => {
    fake.behaviour = { failWith: new (await import('../../src/domain/gateway-error.ts')).GatewayError('content_rejected', 'Your request was rejected by the safety system') };
    const streaming = readSse(`${gateway.baseUrl}/api/events`, {
      until: (events) => events.some((event) => event.event === 'media_generation_completed' && event.data.includes('"failed"')),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await enqueue('will fail');
    const failed = (await streaming).events.find((event) => event.data.includes('"failed"'));
    expect(JSON.parse(failed!.data)).toMatchObject({ status: 'failed', error: 'Your request was rejected by the safety system' });
    fake.behaviour = { delayMs: 100 };
  });
});

describe('partial images on /api/events (darkroom extension)', () => {
  it('announces each progressive render of the local engine with a downloadable URL', async () => {
    const gateway = await startTestGateway();
    try {
      let id = 'pending';
      const streaming = readSse(`${gateway.baseUrl}/api/events`, {
        until: (events) => events.some((event) => event.event === 'media_generation_completed' && event.data.includes(id)),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'darkroom-local', prompt: 'a poster', resolution: '1024x768', partial_images: 2 });
      id = (response.json.generations as Array<{ generation_id: string }>)[0]!.generation_id;
      const partials = (await streaming).events.filter((event) => event.event === 'media_generation_partial_image' && event.data.includes(id));
      expect(partials.map((event) => JSON.parse(event.data).index)).toEqual([0, 1]);
      const download = await fetch(JSON.parse(partials[0]!.data).url as string);
      expect(download.status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });
});
