import { describe, expect, it } from 'vitest';
import { readServerSentEvents, ServerSentEventParser } from '../../src/workbench/app/server-sent-events.ts';

describe('ServerSentEventParser', () => {
  it('assembles events split across chunks at any byte and skips comments', () => {
    const stream = ': keep-alive\n\nevent: media_generation_completed\nid: 7\ndata: {"a":1}\n\n: pad\n\ndata: line one\ndata: line two\n\n';
    for (let split = 1; split < stream.length; split += 1) {
      const parser = new ServerSentEventParser();
      const events = [...parser.push(stream.slice(0, split)), ...parser.push(stream.slice(split))];
      expect(events).toEqual([
        { event: 'media_generation_completed', id: '7', data: '{"a":1}' },
        { event: undefined, id: undefined, data: 'line one\nline two' },
      ]);
    }
  });

  it('accepts CRLF line endings and fields without a space after the colon', () => {
    expect(new ServerSentEventParser().push('event:x\r\ndata:1\r\n\r\n')).toEqual([{ event: 'x', id: undefined, data: '1' }]);
  });

  it('reads a byte stream to the end, decoding UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: ☀ sun\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    const seen: string[] = [];
    await readServerSentEvents(body, (event) => seen.push(event.data));
    expect(seen).toEqual(['☀ sun']);
  });
});
