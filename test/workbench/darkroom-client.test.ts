import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { GenerationEvent } from '../../src/workbench/app/api-types.ts';
import { DarkroomClient, errorFromResponse, isUnreachable } from '../../src/workbench/app/darkroom-client.ts';
import { closedPort } from '../cli/cli-process.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('errorFromResponse', () => {
  it('reads Oxen and OpenAI envelopes into GatewayErrors with status and field', async () => {
    const oxen = await errorFromResponse(
      new Response(JSON.stringify({ error: { type: 'invalid_params', title: 't', detail: 'resolution: Invalid option', code: 'invalid_request', field: 'resolution' } }), { status: 400 }),
    );
    expect(oxen).toMatchObject({ code: 'invalid_request', status: 400, field: 'resolution', message: 'resolution: Invalid option' });
    const openAi = await errorFromResponse(new Response(JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }), { status: 401 }));
    expect(openAi).toMatchObject({ code: 'unauthorized', status: 401, message: 'Invalid API key' });
    const proxy = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(proxy).toMatchObject({ status: 502, message: '502 Bad Gateway' });
  });
});

describe('DarkroomClient against a real server', () => {
  let gateway: TestGateway;
  let key: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_STORE: 'memory' } });
    key = (await gateway.keys.create('workbench test', new Date())).key;
    // The server re-checks for open mode every few seconds; wait until it requires the key.
    for (let attempt = 0; attempt < 100 && (await fetch(`${gateway.baseUrl}/api/ai/models`)).status !== 401; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => gateway.stop());

  it('asks for a key on 401 and retries with it', async () => {
    let current: string | undefined;
    const messages: string[] = [];
    const client = new DarkroomClient({
      baseUrl: gateway.baseUrl,
      apiKey: () => current,
      onUnauthorized: async (message) => {
        messages.push(message);
        current = key;
        return true;
      },
    });
    const models = await client.listModels();
    expect(models.map((model) => model.id)).toContain('gpt-image-2');
    expect(messages).toEqual(['An API key is required: send "Authorization: Bearer <key>"']);
  });

  it('gives up with the server\'s message when nobody supplies a key', async () => {
    const client = new DarkroomClient({ baseUrl: gateway.baseUrl, apiKey: () => 'dk_wrong', onUnauthorized: async () => false });
    await expect(client.listModels()).rejects.toMatchObject({ code: 'unauthorized', status: 401, message: 'Invalid API key' });
  });

  it('enqueues, streams the events of its generation and reads it back', async () => {
    const client = new DarkroomClient({ baseUrl: gateway.baseUrl, apiKey: () => key });
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    let completed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (completed = resolve));
    await client.streamEvents(
      (event) => {
        events.push(event);
        if (event.event === 'media_generation_completed') completed();
      },
      { signal: controller.signal },
    );
    const [id] = await client.enqueue({ model: 'darkroom-local', prompt: 'client test', resolution: '1024x768' });
    await done;
    controller.abort();
    const mine = events.filter((event) => event.data.generation_id === id).map((event) => event.event);
    expect(mine[0]).toBe('media_generation_queued');
    expect(mine.at(-1)).toBe('media_generation_completed');
    const generation = await client.getGeneration(id ?? '');
    expect(generation).toMatchObject({ status: 'succeeded', resolution: '1024x768' });
    const page = await client.listGenerations({ status: 'all', limit: 5 });
    expect(page.map((entry) => entry.generation_id)).toContain(id);
  });

  it('reports an unreachable server as such', async () => {
    const client = new DarkroomClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: () => undefined });
    const error = await client.listModels().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(isUnreachable(error as GatewayError)).toBe(true);
    expect((error as GatewayError).message).toMatch(/^Cannot reach darkroom at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  });
});
