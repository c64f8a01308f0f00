import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from '../helpers/image-fixtures.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

type Ticket = { download_url: string; filename: string; size: number; upload: { url: string; method: string; headers: Record<string, string> } };

describe('WaveSpeed media uploads', () => {
  let gateway: TestGateway;
  let png: Uint8Array<ArrayBuffer>;
  const ticketFor = async (body: Record<string, unknown>) => postJson(`${gateway.baseUrl}/api/v3/media/uploads`, body);
  const put = (url: string, bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) => fetch(url, { method: 'PUT', headers, body: bytes });

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_MAX_INPUT_BYTES: '200000' } });
    png = new Uint8Array(await solidPng(300, 200));
  });
  afterAll(() => gateway.stop());

  it('stores a multipart upload/binary file and returns a download_url usable as an input image', async () => {
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'cat photo.png');
    const response = await fetch(`${gateway.baseUrl}/api/v3/media/upload/binary`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { code: number; message: string; data: { type: string; download_url: string; filename: string; size: number } };
    expect(json).toMatchObject({ code: 200, message: 'success', data: { type: 'image', filename: 'cat_photo.png', size: png.byteLength } });
    const download = await fetch(json.data.download_url);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(png);
    const edit = await postJson(`${gateway.baseUrl}/api/v3/openai/gpt-image-2/edit`, { images: [json.data.download_url], prompt: 'make it black and white', enable_sync_mode: true });
    expect(edit.json).toMatchObject({ code: 200, data: { status: 'completed' } });
  });

  it('refuses multipart bodies without a file, non-images and files over the input limit', async () => {
    const empty = new FormData();
    empty.append('other', 'x');
    const missing = await fetch(`${gateway.baseUrl}/api/v3/media/upload/binary`, { method: 'POST', body: empty });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 400, message: expect.stringMatching(/^file: required/), data: null });
    const text = new FormData();
    text.append('file', new Blob(['hello']), 'notes.txt');
    const notImage = await fetch(`${gateway.baseUrl}/api/v3/media/upload/binary`, { method: 'POST', body: text });
    expect(await notImage.json()).toMatchObject({ code: 400, message: 'file: only png, jpeg and webp images can be uploaded' });
    const big = new FormData();
    big.append('file', new Blob([new Uint8Array(250_000)]), 'big.png');
    const tooBig = await fetch(`${gateway.baseUrl}/api/v3/media/upload/binary`, { method: 'POST', body: big });
    expect(tooBig.status).toBe(413);
  });

  it('hands out a signed PUT ticket; the PUT stores the bytes once', async () => {
    const response = await ticketFor({ filename: 'shot.png', size: png.byteLength, content_type: 'image/png' });
    expect(response.status).toBe(200);
    const ticket = (response.json as { data: Ticket }).data;
    expect(response.json).toMatchObject({ code: 200, message: 'success' });
    expect(ticket.upload).toMatchObject({ method: 'PUT', headers: { 'content-type': 'image/png' } });
    expect(ticket.upload.url.startsWith(`http://localhost:${new URL(gateway.baseUrl).port}/api/v3/media/uploads/`)).toBe(true);
    expect((await fetch(ticket.download_url)).status).toBe(404); // nothing stored until the PUT

    const target = ticket.upload.url.replace(/^http:\/\/localhost/, 'http://127.0.0.1');
    const stored = await put(target, png, ticket.upload.headers);
    expect(stored.status).toBe(200);
    expect(new Uint8Array(await (await fetch(ticket.download_url)).arrayBuffer())).toEqual(png);
    const again = await put(target, png);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 409, data: null });
  });

  it('rejects a PUT whose size differs from the ticket, a tampered URL, and a non-image body', async () => {
    const ticket = ((await ticketFor({ filename: 'a.png', size: png.byteLength })).json as { data: Ticket }).data;
    const target = ticket.upload.url.replace(/^http:\/\/localhost/, 'http://127.0.0.1');
    const short = await put(target, png.subarray(0, 100));
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ code: 400, message: `body: received 100 bytes, but the upload ticket declared ${png.byteLength}`, data: null });
    const grown = target.replace(`size=${png.byteLength}`, `size=${png.byteLength + 1}`);
    expect((await put(grown, new Uint8Array(png.byteLength + 1))).status).toBe(403);
    const renamed = target.replace('/a.png?', '/b.png?');
    expect((await put(renamed, png)).status).toBe(403);
    const notImage = await put(target, new Uint8Array(png.byteLength));
    expect((await notImage.json()) as object).toMatchObject({ code: 400, message: 'body: only png, jpeg and webp images can be uploaded' });
  });

  it('validates ticket requests: size limit, declared type, required fields', async () => {
    const tooBig = await ticketFor({ filename: 'huge.png', size: 200_001 });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toEqual({ code: 413, message: 'size: 200001 bytes is above the limit of 200000', data: null });
    const video = await ticketFor({ filename: 'clip.mp4', size: 10, content_type: 'video/mp4' });
    expect(video.status).toBe(400);
    expect(String(video.json.message)).toMatch(/^content_type: darkroom stores images only/);
    const noName = await ticketFor({ size: 10 });
    expect(noName.json).toMatchObject({ code: 400, message: expect.stringMatching(/^filename: /) });
  });
});
