import type OpenAI from 'openai';
import { APIError, toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { patternPng } from '../helpers/image-fixtures.ts';
import { getJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { fromBase64, openAiClient, postForm, pngBlob } from './openai-fixtures.ts';

type StreamEvent = { type: string; b64_json?: string; partial_image_index?: number; [key: string]: unknown };

async function collect(stream: AsyncIterable<unknown>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event as StreamEvent);
  return events;
}

describe('OpenAI streaming (stream: true)', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  const failing = new FakeImageEngine('failing', {
    failWith: new GatewayError('content_rejected', 'Your request was rejected by the safety system', {
      details: { moderation_stage: 'output', categories: ['violence'] },
    }),
  });

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_ROUTES: 'moderated-model=failing' }, extraEngines: [failing] });
    client = openAiClient(gateway);
  });
  afterAll(() => gateway.stop());

  it('streams partial_images=2 real progressive partials with increasing index, then the completed image', async () => {
    const stream = await client.images.generate({ prompt: 'A harbour at night', size: '256x192', stream: true, partial_images: 2 });
    const events = await collect(stream);
    expect(events.map((event) => event.type)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    const [first, second, completed] = events;
    expect([first?.partial_image_index, second?.partial_image_index]).toEqual([0, 1]);
    for (const event of [first, second]) {
      expect(event).toEqual({
        type: 'image_generation.partial_image',
        b64_json: expect.any(String),
        created_at: expect.any(Number),
        size: '256x192',
        quality: 'medium',
        background: 'opaque',
        output_format: 'png',
        partial_image_index: expect.any(Number),
      });
    }
    expect(completed).toEqual({
      type: 'image_generation.completed',
      b64_json: expect.any(String),
      created_at: expect.any(Number),
      size: '256x192',
      quality: 'medium',
      background: 'opaque',
      output_format: 'png',
      usage: expect.objectContaining({ total_tokens: 0, input_tokens_details: { text_tokens: 0, image_tokens: 0 } }),
    });
    const decoded = await Promise.all(events.map((event) => sharp(fromBase64(event.b64_json)).raw().toBuffer({ resolveWithObject: true })));
    for (const image of decoded) expect([image.info.width, image.info.height]).toEqual([256, 192]);
    // Coarse-to-fine previews of the final picture: each partial differs from the final render.
    expect(decoded[0]?.data.equals(decoded[2]!.data)).toBe(false);
    expect(decoded[1]?.data.equals(decoded[2]!.data)).toBe(false);
  });

  it('streams a single completed event when partial_images is 0, one per image for n > 1', async () => {
    const events = await collect(await client.images.generate({ prompt: 'Two quick ones', size: '128x128', n: 2, stream: true, partial_images: 0 }));
    expect(events.map((event) => event.type)).toEqual(['image_generation.completed', 'image_generation.completed']);
  });

  it('streams edits as image_edit.* events, including from multipart string scalars', async () => {
    const photo = await patternPng(120, 80);
    const events = await collect(
      await client.images.edit({ image: await toFile(photo, 'photo.png'), prompt: 'blur it', stream: true, partial_images: 1 }),
    );
    expect(events.map((event) => [event.type, event.partial_image_index])).toEqual([
      ['image_edit.partial_image', 0],
      ['image_edit.completed', undefined],
    ]);
    expect(events[1]).toMatchObject({ size: '120x80', output_format: 'png' });

    const raw = await fetch(`${gateway.baseUrl}/v1/images/edits`, {
      method: 'POST',
      body: (() => {
        const form = new FormData();
        form.append('image', pngBlob(photo), 'photo.png');
        form.append('prompt', 'make it grayscale');
        form.append('stream', 'true');
        form.append('partial_images', '3');
        return form;
      })(),
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const jobId = raw.headers.get('x-darkroom-job-id');
    expect(raw.headers.get('x-darkroom-engine')).toBe('local');
    const text = await raw.text();
    expect(text.match(/^event: image_edit\.partial_image$/gm)).toHaveLength(3);
    expect(text.match(/^event: image_edit\.completed$/gm)).toHaveLength(1);
    // The same job underneath: the Oxen queue API shows it as an OpenAI edit that streamed.
    const generation = await getJson(`${gateway.baseUrl}/api/ai/queue/${jobId}`);
    expect(generation.json).toMatchObject({ generation_id: jobId, status: 'succeeded', stream: true, partial_images: 3 });
    expect((await gateway.jobs.get(jobId ?? '', { keyId: undefined, admin: true })).origin).toMatchObject({ dialect: 'openai', operation: 'edits' });
  });

  it('ends a failed job with event: error carrying an OpenAI error object, which the SDK raises', async () => {
    const stream = await client.images.generate({ model: 'moderated-model', prompt: 'something', stream: true });
    const caught = await collect(stream).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(APIError);
    expect(caught).toMatchObject({ type: 'image_generation_user_error', code: 'moderation_blocked', message: expect.stringContaining('safety system') });

    const raw = await postForm(`${gateway.baseUrl}/v1/images/edits`, [
      ['image', pngBlob(await patternPng(32, 32))],
      ['model', 'moderated-model'],
      ['prompt', 'x'],
      ['stream', 'true'],
    ]);
    expect(raw.status).toBe(200);
    const errorEvent = /event: error\ndata: (.+)\n/.exec(String(raw.json.raw));
    expect(JSON.parse(errorEvent?.[1] ?? '{}')).toEqual({
      error: {
        message: 'Your request was rejected by the safety system',
        type: 'image_generation_user_error',
        param: null,
        code: 'moderation_blocked',
        moderation_details: { moderation_stage: 'output', categories: ['violence'] },
      },
    });
  });

  it('rejects invalid streaming requests before the stream starts', async () => {
    await expect(client.images.generate({ prompt: 'x', stream: true, partial_images: 4 })).rejects.toMatchObject({ status: 400, param: 'partial_images' });
  });
});
