import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSseMessage, openSseResponse, type SseSink } from './sse-sink.ts';

describe('encodeSseMessage', () => {
  it('writes event, one data line per line of data, and id; comments start with a colon', () => {
    expect(encodeSseMessage({ event: 'done', data: 'one\ntwo\r\nthree', id: '7' }).toString()).toBe('event: done\ndata: one\ndata: two\ndata: three\nid: 7\n\n');
    expect(encodeSseMessage({ data: '{}' }).toString()).toBe('data: {}\n\n');
    expect(encodeSseMessage({ comment: 'keep-alive' }).toString()).toBe(': keep-alive\n\n');
  });

  it('encodes a shared message object once', () => {
    const message = { data: 'shared' };
    expect(encodeSseMessage(message)).toBe(encodeSseMessage(message));
    expect(encodeSseMessage({ data: 'shared' })).not.toBe(encodeSseMessage(message));
  });
});

describe('openSseResponse', () => {
  let server: ServerType | undefined;
  afterEach(
    () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  );

  const start = async (onOpen: (sink: SseSink) => void, onClose: () => void = () => undefined): Promise<string> => {
    const app = new Hono();
    app.get('/stream', (context) => {
      context.header('x-request-id', 'abc');
      return openSseResponse(context, onOpen, onClose);
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server!.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  };

  it('streams bytes on a node server with the headers set on the context', async () => {
    const url = await start((sink) => {
      sink.write(encodeSseMessage({ data: 'a' }));
      setTimeout(() => {
        sink.write(encodeSseMessage({ data: 'b' }));
        sink.close();
      }, 20);
    });
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-request-id')).toBe('abc');
    expect(await response.text()).toBe('data: a\n\ndata: b\n\n');
  });

  it('streams through app.request too (no node response to write to)', async () => {
    const app = new Hono();
    app.get('/stream', (context) =>
      openSseResponse(
        context,
        (sink) => {
          sink.write(encodeSseMessage({ event: 'x', data: '1' }));
          sink.close();
        },
        () => undefined,
      ),
    );
    const response = await app.request('/stream');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe('event: x\ndata: 1\n\n');
  });

  it('cuts off a client that stops reading instead of buffering without bound', async () => {
    let opened: SseSink | undefined;
    let closedByServer = false;
    const url = await start(
      (sink) => {
        opened = sink;
      },
      () => (closedByServer = true),
    );
    // The client reads the headers, then nothing more (a paused socket reads nothing, so never sees the cut).
    const client = await new Promise<ClientRequest>((resolve, reject) => {
      const request = httpRequest(url, (response) => {
        response.pause();
        resolve(request);
      });
      request.on('error', reject);
      request.end();
    });
    const megabyte = Buffer.alloc(1024 * 1024, 'x');
    for (let index = 0; index < 64 && !opened?.closed; index += 1) {
      opened?.write(megabyte);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(opened?.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closedByServer).toBe(true);
    client.destroy();
  });
});
