import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciFetch } from './create-undici-fetch.ts';

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const large = Buffer.from(JSON.stringify({ data: [{ b64_json: Buffer.alloc(600_000, 7).toString('base64') }] }));

describe('createUndiciFetch', () => {
  let server: Server;
  let origin: string;
  const dispatcher = new Agent();
  const fetch = createUndiciFetch(dispatcher);

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      if (request.url === '/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: one\n\n');
        setTimeout(() => response.end('data: two\n\n'), 20);
        return;
      }
      if (request.url === '/hang') return;
      if (request.url === '/large') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(large.byteLength) });
        response.end(large);
        return;
      }
      const status = request.url === '/missing' ? 404 : 200;
      response.writeHead(status, { 'content-type': 'application/json', 'x-echo': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      response.end(JSON.stringify({ method: request.method, url: request.url, body, contentType: request.headers['content-type'] ?? null, auth: request.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await dispatcher.close();
  });

  it('sends method, path, query, headers and a string body, and answers a full Response', async () => {
    const response = await fetch(`${origin}/v1/images?x=1`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ method: 'POST', url: '/v1/images?x=1', body: '{"a":1}', contentType: 'application/json', auth: 'Bearer k' });
  });

  it('passes error statuses through with their body', async () => {
    const response = await fetch(`${origin}/missing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { method: string }).method).toBe('GET');
  });

  it('streams large answers instead of copying them into the Response, intact', async () => {
    const response = await fetch(`${origin}/large`);
    expect(Buffer.from(await response.arrayBuffer()).equals(large)).toBe(true);
  });

  it('keeps event streams streaming', async () => {
    const response = await fetch(`${origin}/events`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('data: one\n\n');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('data: two\n\n');
  });

  it('sends multipart bodies through fetch on the same dispatcher', async () => {
    const form = new FormData();
    form.append('prompt', 'hello');
    const response = await fetch(`${origin}/v1/images/edits`, { method: 'POST', body: form });
    const echoed = (await response.json()) as { contentType: string; body: string };
    expect(echoed.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(echoed.body).toContain('name="prompt"');
  });

  it('rejects when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = fetch(`${origin}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow();
  });
});
