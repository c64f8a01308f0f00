import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, WavespeedPredictionException, WavespeedSyncTimeoutException } from 'wavespeed';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { solidPng } from '../helpers/image-fixtures.ts';
import { getJson, postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const sizeOf = async (url: string) => {
  const metadata = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
  return { width: metadata.width, height: metadata.height };
};

describe('the unmodified wavespeed SDK against darkroom (API keys on)', () => {
  let gateway: TestGateway;
  let alice: string;
  let bob: string;
  let client: Client;
  let fileDirectory: string;
  const textToImage = 'openai/gpt-image-2/text-to-image';

  beforeAll(async () => {
    gateway = await startTestGateway();
    alice = (await gateway.keys.create('alice', new Date())).key;
    bob = (await gateway.keys.create('bob', new Date())).key;
    // A trailing slash, as users paste it: the SDK strips it.
    client = new Client(alice, { baseUrl: `${gateway.baseUrl}/`, maxConnectionRetries: 0 });
    fileDirectory = mkdtempSync(join(tmpdir(), 'darkroom-wavespeed-'));
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(fileDirectory, { recursive: true, force: true });
  });

  it('refuses requests without a valid key in the WaveSpeed envelope', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the open-mode check is cached briefly after start
    const anonymous = await postJson(`${gateway.baseUrl}/api/v3/${textToImage}`, { prompt: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 401, data: null });
    const stranger = new Client('not-a-key', { baseUrl: gateway.baseUrl });
    await expect(stranger.run(textToImage, { prompt: 'x' })).rejects.toThrow(/Prediction submission failed: HTTP 401: .*Invalid API key/);
  });

  it('runs text-to-image by polling /result', async () => {
    const output = await client.run(textToImage, { prompt: 'a lighthouse from the SDK', aspect_ratio: '3:4' }, { pollInterval: 0.05 });
    expect(output.outputs).toHaveLength(1);
    expect(await sizeOf(output.outputs[0] as string)).toEqual({ width: 880, height: 1184 });
  });

  it('runs in sync mode in a single request', async () => {
    const output = await client.run(textToImage, { prompt: 'sync lighthouse' }, { enableSyncMode: true });
    expect(await sizeOf(output.outputs[0] as string)).toEqual({ width: 1024, height: 1024 });
  });

  it('uploads a file with the ticket flow and uses the returned URL as an edit input', async () => {
    const path = join(fileDirectory, 'holiday photo.png');
    writeFileSync(path, await solidPng(1200, 800));
    const url = await client.upload(path);
    expect(url).toMatch(/\/files\/uploads\/[0-9a-f-]{36}\/holiday_photo\.png\?expires=\d+&signature=/);
    const downloaded = await fetch(url);
    expect(downloaded.headers.get('content-type')).toBe('image/png');
    const output = await client.run('openai/gpt-image-2/edit', { images: [url], prompt: 'make it black and white' }, { pollInterval: 0.05 });
    expect(await sizeOf(output.outputs[0] as string)).toEqual({ width: 1248, height: 832 });
  });

  it('reports a failed task as the SDK expects: run throws, runNoThrow returns the detail', async () => {
    const upload = join(fileDirectory, 'small.png');
    writeFileSync(upload, await solidPng(64, 64));
    const input = { images: [await client.upload(upload)], prompt: 'paint a dragon over the city' };
    await expect(client.run('openai/gpt-image-2/edit', input, { pollInterval: 0.05 })).rejects.toThrow(/Prediction failed \(task_id: [0-9a-f-]+\): The local engine did not recognise/);
    const result = await client.runNoThrow('openai/gpt-image-2/edit', input, { enableSyncMode: true });
    expect(result.outputs).toBeNull();
    expect(result.detail.status).toBe('failed');
    expect(result.detail.error).toBeInstanceOf(WavespeedPredictionException);
  });

  it('shows each key only its own predictions', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/api/v3/${textToImage}`, { prompt: 'alice only' }, { authorization: `Bearer ${alice}` });
    const id = (submitted.json.data as { id: string }).id;
    expect((await getJson(`${gateway.baseUrl}/api/v3/predictions/${id}/result`, { authorization: `Bearer ${alice}` })).status).toBe(200);
    const asBob = await getJson(`${gateway.baseUrl}/api/v3/predictions/${id}/result`, { authorization: `Bearer ${bob}` });
    expect(asBob.status).toBe(404);
    expect(asBob.json).toEqual({ code: 404, message: `Job not found: ${id}`, data: null });
  });
});

describe('the wavespeed SDK when sync mode runs out of time', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      environment: { DARKROOM_ROUTES: 'gpt-image-2=slow', DARKROOM_SYNC_TIMEOUT: '1' },
      extraEngines: [new FakeImageEngine('slow', { delayMs: 1500 })],
    });
  });
  afterAll(() => gateway.stop());

  it('answers status processing with a sync-timeout error, which the SDK turns into WavespeedSyncTimeoutException', async () => {
    const client = new Client('any-key-in-open-mode', { baseUrl: gateway.baseUrl });
    const result = await client.runNoThrow('openai/gpt-image-2/text-to-image', { prompt: 'slow' }, { enableSyncMode: true });
    expect(result.detail.status).toBe('processing');
    expect(result.detail.error).toBeInstanceOf(WavespeedSyncTimeoutException);
    expect(result.detail.resultUrl).toBe(`${gateway.baseUrl}/api/v3/predictions/${result.detail.taskId}/result`);
    const finished = await gateway.jobs.waitForTerminal(result.detail.taskId, { timeoutMs: 5000 });
    expect(finished.state).toBe('succeeded');
  });
});
