import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintRequest } from '../../src/accounts/idempotency-guard.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { bearer, generationIds, send, startAccountsGateway, type AccountsTestGateway } from './accounts-test-gateway.ts';

describe('Idempotency-Key', () => {
  let server: AccountsTestGateway;
  let engine: FakeImageEngine;
  const environment = { DARKROOM_ROUTES: 'gpt-image-2=fake' };

  beforeAll(async () => {
    engine = new FakeImageEngine('fake', { delayMs: 200 });
    server = await startAccountsGateway({ environment, engines: [engine], keys: [{ name: 'alice' }, { name: 'bob' }] });
  });
  afterAll(() => server.stop());

  const body = (prompt: string) => ({ model: 'gpt-image-2', prompt, resolution: '1024x768', quality: 'low' });
  const queue = (key: string, idempotencyKey: string, payload: unknown, base = server.baseUrl) =>
    send(`${base}/api/ai/queue`, { body: payload, headers: { ...bearer(key), 'idempotency-key': idempotencyKey } });
  const settle = async (ids: string[]) => {
    for (const id of ids) await server.gateway.jobs.waitForTerminal(id, { timeoutMs: 10_000 });
  };

  it('answers a retry with the original response and never creates a second job', async () => {
    const first = await queue(server.keys.alice!, 'retry-1', body('one'));
    expect(first.status).toBe(200);
    const second = await queue(server.keys.alice!, 'retry-1', body('one'));
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('x-darkroom-engine')).toBe('fake');
    await settle(generationIds(first.json));
    expect(engine.calls.filter((call) => call.request.prompt === 'one')).toHaveLength(1);
    expect(await server.gateway.store.list({ states: ['succeeded'], limit: 100 }).then((jobs) => jobs.filter((job) => job.request.prompt === 'one'))).toHaveLength(1);
  });

  it('makes concurrent duplicates wait for the first and share its job', async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => queue(server.keys.alice!, 'burst-1', body('burst'))));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const ids = new Set(responses.flatMap((response) => generationIds(response.json)));
    expect(ids.size).toBe(1);
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === 'true')).toHaveLength(11);
    await settle([...ids]);
    expect(engine.calls.filter((call) => call.request.prompt === 'burst')).toHaveLength(1);
  });

  it('refuses the same key with a different body with 422, and keeps keys apart per caller', async () => {
    await queue(server.keys.alice!, 'mixed-1', body('first body'));
    const conflict = await queue(server.keys.alice!, 'mixed-1', body('second body'));
    expect(conflict.status).toBe(422);
    expect(conflict.json).toMatchObject({ error: { code: 'conflict', field: 'Idempotency-Key' } });
    expect(String((conflict.json.error as { detail: string }).detail)).toMatch(/already used with a different request/);
    // Another key's Idempotency-Key of the same name is its own.
    const bob = await queue(server.keys.bob!, 'mixed-1', body('second body'));
    expect(bob.status).toBe(200);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect((await queue(server.keys.alice!, 'bad key with spaces', body('x'))).status).toBe(400);
  });

  it('does not remember rejected requests, so a corrected retry with the same key runs', async () => {
    const rejected = await queue(server.keys.alice!, 'fix-1', { model: 'gpt-image-2', prompt: 'fixed', quality: 'ultra' });
    expect(rejected.status).toBe(400);
    const corrected = await queue(server.keys.alice!, 'fix-1', body('fixed'));
    expect(corrected.status).toBe(200);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a sync generation, its images and job id, with one engine call', async () => {
    const sync = (key: string) =>
      send(`${server.baseUrl}/api/ai/images/generate`, { body: body('sync run'), headers: { ...bearer(server.keys.alice), 'idempotency-key': key } });
    const [first, second] = await Promise.all([sync('sync-1'), sync('sync-1')]);
    expect(first?.status).toBe(200);
    expect(second?.json).toEqual(first?.json);
    expect(second?.headers.get('x-darkroom-job-id')).toBe(first?.headers.get('x-darkroom-job-id'));
    expect(engine.calls.filter((call) => call.request.prompt === 'sync run')).toHaveLength(1);
  });

  it("applies to every dialect's submits (OpenAI, fal, WaveSpeed)", async () => {
    const submits: Array<[string, Record<string, unknown>]> = [
      ['/v1/images/generations', { model: 'gpt-image-2', prompt: 'openai once', size: '1024x1024', quality: 'low' }],
      ['/fal/queue/openai/gpt-image-2', { prompt: 'fal once', image_size: 'square_hd', quality: 'low' }],
      ['/api/v3/openai/gpt-image-2/text-to-image', { prompt: 'wavespeed once', resolution: '1k', quality: 'low' }],
    ];
    for (const [path, payload] of submits) {
      const post = () => send(`${server.baseUrl}${path}`, { body: payload, headers: { ...bearer(server.keys.bob), 'idempotency-key': `dialect-${path}` } });
      const [first, second] = await Promise.all([post(), post()]);
      expect(first?.status, path).toBe(200);
      expect(second?.json, path).toEqual(first?.json);
      const prompt = String(payload.prompt);
      const jobs = (await server.gateway.store.list({ limit: 500 })).filter((job) => job.request.prompt === prompt);
      expect(jobs, path).toHaveLength(1);
      await settle(jobs.map((job) => job.id));
      expect(engine.calls.filter((call) => call.request.prompt === prompt), path).toHaveLength(1);
    }
  });

  it('replays a streamed response once the stream has ended', async () => {
    const stream = async () => {
      const response = await fetch(`${server.baseUrl}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(server.keys.bob), 'idempotency-key': 'stream-1' },
        body: JSON.stringify({ model: 'gpt-image-2', prompt: 'streamed once', size: '1024x1024', quality: 'low', stream: true }),
      });
      return { type: response.headers.get('content-type'), replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
    };
    const first = await stream();
    expect(first.type).toContain('text/event-stream');
    expect(first.text).toContain('image_generation.completed');
    const second = await stream();
    expect(second).toEqual({ ...first, replayed: 'true' });
    expect(engine.calls.filter((call) => call.request.prompt === 'streamed once')).toHaveLength(1);
  });

  it('survives a restart of the gateway on the same data directory', async () => {
    const alice = server.keys.alice!;
    const first = await queue(alice, 'restart-1', body('before restart'));
    await settle(generationIds(first.json));
    await server.close();
    const restartedEngine = new FakeImageEngine('fake');
    // The keys live in the data directory too, so alice's key still works.
    server = await startAccountsGateway({ environment, engines: [restartedEngine], dataDirectory: server.dataDirectory });
    const replayed = await queue(alice, 'restart-1', body('before restart'));
    expect(replayed.status).toBe(200);
    expect(replayed.json).toEqual(first.json);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(restartedEngine.calls).toHaveLength(0);
    expect((await queue(alice, 'restart-1', body('after restart'))).status).toBe(422);
  });
});

describe('request fingerprints', () => {
  it('ignore the random multipart boundary but not the fields', async () => {
    const form = (prompt: string) => {
      const data = new FormData();
      data.set('prompt', prompt);
      data.set('image', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'a.png');
      return new Request('http://localhost/v1/images/edits', { method: 'POST', body: data });
    };
    const [first, second, other] = [form('same'), form('same'), form('different')];
    expect(first.headers.get('content-type')).not.toBe(second.headers.get('content-type'));
    expect(await fingerprintRequest(first, 1e6)).toBe(await fingerprintRequest(second, 1e6));
    expect(await fingerprintRequest(first, 1e6)).not.toBe(await fingerprintRequest(other, 1e6));
    const json = (path: string) => new Request(`http://localhost${path}`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(await fingerprintRequest(json('/a?webhook=x'), 1e6)).not.toBe(await fingerprintRequest(json('/a?webhook=y'), 1e6));
    await expect(fingerprintRequest(json('/a'), 3)).rejects.toMatchObject({ code: 'payload_too_large' });
  });
});
