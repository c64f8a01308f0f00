import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'wavespeed';
import { startFakeWaveSpeedUpstream, type FakeWaveSpeedUpstream } from '../helpers/fake-wavespeed-upstream.ts';
import { dataUri, solidPng } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

describe('darkroom with WAVESPEED_API_KEY: gpt-image-2 runs on the (fake) WaveSpeed upstream', () => {
  let upstream: FakeWaveSpeedUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startFakeWaveSpeedUpstream({ apiKey: 'ws_upstream_key' });
    gateway = await startTestGateway({
      environment: {
        WAVESPEED_API_KEY: 'ws_upstream_key',
        WAVESPEED_BASE_URL: upstream.baseUrl,
        WAVESPEED_POLL_INTERVAL_MS: '10',
        DARKROOM_FETCH_ALLOWLIST: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('registers the engine and routes the gpt-image-2 family to it', () => {
    expect(gateway.router.resolve('gpt-image-2').engine.engineId).toBe('wavespeed');
    expect(gateway.router.resolve('gpt-image-2-edit').engine.engineId).toBe('wavespeed');
    expect(gateway.router.resolve('darkroom-local').engine.engineId).toBe('local');
  });

  it('carries an SDK edit through darkroom to WaveSpeed and back', async () => {
    const input = await solidPng(1200, 800);
    const client = new Client('client-key', { baseUrl: gateway.baseUrl });
    const output = await client.run('openai/gpt-image-2/edit', { images: [dataUri(input)], prompt: 'turn it into a watercolour', quality: 'high' }, { pollInterval: 0.05 });
    const [submit] = upstream.submits();
    expect(submit?.path).toBe('/api/v3/openai/gpt-image-2/edit');
    expect(submit?.authorization).toBe('Bearer ws_upstream_key');
    expect(submit?.body).toEqual({ prompt: 'turn it into a watercolour', images: [dataUri(input)], aspect_ratio: '3:2', resolution: '1k', quality: 'high' });
    const image = sharp(Buffer.from(await (await fetch(output.outputs[0] as string)).arrayBuffer()));
    expect(await image.metadata()).toMatchObject({ width: 1248, height: 832, format: 'png' });
    const { dominant } = await image.stats();
    expect(dominant.g).toBeGreaterThan(dominant.r);
  });

  it('refuses a mask up front because WaveSpeed cannot take one', async () => {
    const png = dataUri(await solidPng(64, 64));
    const masked = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'gpt-image-2-edit', prompt: 'x', input_image: [png], mask_url: png });
    expect(masked.status).toBe(400);
    expect(JSON.stringify(masked.json)).toContain('engine wavespeed does not support masks');
  });
});
