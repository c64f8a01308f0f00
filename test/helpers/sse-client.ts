export type SseEvent = { event: string | undefined; id: string | undefined; data: string };

/** Reads an SSE response until `until` says stop (or the timeout), returning the parsed events and comments. */
export async function readSse(
  url: string,
  options: { headers?: Record<string, string>; until: (events: SseEvent[]) => boolean; timeoutMs?: number },
): Promise<{ events: SseEvent[]; comments: string[]; status: number; contentType: string | null; rawLength: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const response = await fetch(url, { headers: options.headers ?? {}, signal: controller.signal });
  const result = { events, comments, status: response.status, contentType: response.headers.get('content-type'), rawLength: 0 };
  if (!response.body) return result;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      result.rawLength += chunk.byteLength;
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event: SseEvent = { event: undefined, id: undefined, data: '' };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('event:')) event.event = line.slice(6).trim();
          else if (line.startsWith('id:')) event.id = line.slice(3).trim();
          else if (line.startsWith('data:')) {
            event.data += (hasData ? '\n' : '') + line.slice(5).trimStart();
            hasData = true;
          }
        }
        if (hasData) events.push(event);
      }
      if (options.until(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return result;
}
