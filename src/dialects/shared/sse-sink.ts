import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';

export type SseMessage = { event?: string; data: string; id?: string } | { comment: string };

/** Where a server-sent event stream's bytes go. Writes are synchronous and never wait for the client. */
export interface SseSink {
  write(bytes: Uint8Array): void;
  close(): void;
  readonly closed: boolean;
}

/** A client this far behind (bytes the kernel has not taken) is cut off; it can resume with `Last-Event-ID`. */
const maxBufferedBytes = 8 * 1024 * 1024;

const encoded = new WeakMap<SseMessage, Buffer>();

/**
 * The wire bytes of one message. Cached per message object, so a message shared by many subscribers (one
 * event fanned out to every stream) is encoded once.
 */
export function encodeSseMessage(message: SseMessage): Buffer {
  let bytes = encoded.get(message);
  if (bytes) return bytes;
  let text: string;
  if ('comment' in message) text = `: ${message.comment}\n\n`;
  else {
    const data = message.data
      .split(/\r\n|\r|\n/)
      .map((line) => `data: ${line}\n`)
      .join('');
    text = `${message.event ? `event: ${message.event}\n` : ''}${data}${message.id !== undefined ? `id: ${message.id}\n` : ''}\n`;
  }
  bytes = Buffer.from(text, 'utf8');
  encoded.set(message, bytes);
  return bytes;
}

/**
 * A `text/event-stream` response. On a node:http server (a GET, which no response-rewriting middleware
 * touches) the bytes go straight to the `ServerResponse`: thousands of subscribers then cost a socket write
 * each per event, with no web-stream machinery in between, and writes made in the same tick leave in one
 * syscall. Elsewhere (`app.request`, POST streams whose body middleware may tee) a byte `ReadableStream`.
 */
export function openSseResponse(context: Context, onOpen: (sink: SseSink) => void, onClose: () => void): Response {
  const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
  const outgoing = (context.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && context.req.method === 'GET' && !outgoing.headersSent) {
    const prepared = context.body(null, 200, headers);
    const outgoingHeaders: Record<string, string> = {};
    prepared.headers.forEach((value, name) => (outgoingHeaders[name] = value));
    outgoing.writeHead(200, outgoingHeaders);
    outgoing.flushHeaders();
    const sink = new ServerResponseSink(outgoing);
    outgoing.on('close', () => {
      sink.markClosed();
      onClose();
    });
    onOpen(sink);
    return RESPONSE_ALREADY_SENT;
  }
  let sink: StreamControllerSink | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        sink = new StreamControllerSink(controller);
        onOpen(sink);
      },
      cancel() {
        sink?.markClosed();
        onClose();
      },
    },
    { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength },
  );
  // Declared chunked so @hono/node-server does not hold the headers back to measure a content length.
  return context.body(body, 200, { ...headers, 'transfer-encoding': 'chunked' });
}

class ServerResponseSink implements SseSink {
  closed = false;
  private corked = false;

  constructor(private readonly response: ServerResponse) {}

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.response.writableLength > maxBufferedBytes) {
      this.response.destroy();
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.response.cork();
      process.nextTick(() => {
        this.corked = false;
        this.response.uncork();
      });
    }
    this.response.write(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.response.end();
  }

  markClosed(): void {
    this.closed = true;
  }
}

class StreamControllerSink implements SseSink {
  closed = false;

  constructor(private readonly controller: ReadableStreamDefaultController<Uint8Array>) {}

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if ((this.controller.desiredSize ?? 0) < 0) {
      this.closed = true;
      this.controller.error(new Error('The client is too far behind'));
      return;
    }
    this.controller.enqueue(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }

  markClosed(): void {
    this.closed = true;
  }
}
