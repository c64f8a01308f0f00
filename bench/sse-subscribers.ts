import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { wallClockMs } from './server-metrics.ts';

export type SseSubscribers = {
  readonly count: number;
  /** Streams that ended or failed before {@link SseSubscribers.close}. */
  dropped(): number;
  /** Completion events each subscriber received (any job). */
  completionsPerSubscriber(): number[];
  /** Queued events each subscriber received, to tell a late subscription from a lost completion. */
  queuedPerSubscriber(): number[];
  /** Wall-clock receive time of `jobId`'s completion at every subscriber that got it. */
  receiveTimes(jobId: string): number[];
  close(): void;
};

const completedEvent = 'event: media_generation_completed';
const queuedEvent = 'event: media_generation_queued';
const generationId = /"generation_id":"([^"]+)"/;

/**
 * Opens `count` Oxen `/api/events` streams (a few hundred connects at a time, so the listen backlog never
 * overflows) and records when each completion arrives. Parsing is minimal on purpose: the client shares the
 * machine with the server and must cost as little as possible.
 */
export async function openSseSubscribers(
  origin: string,
  count: number,
  options: { headersFor?: (subscriber: number) => Record<string, string>; connectBatch?: number } = {},
): Promise<SseSubscribers> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const base = wallClockMs();
  const receipts = new Map<string, Float64Array>();
  const completions = new Array<number>(count).fill(0);
  const queued = new Array<number>(count).fill(0);
  const requests: ClientRequest[] = [];
  let dropped = 0;
  let closing = false;

  const onBlock = (subscriber: number, block: string, at: number) => {
    if (block.startsWith(completedEvent)) {
      const jobId = generationId.exec(block)?.[1];
      if (!jobId) return;
      completions[subscriber] = (completions[subscriber] ?? 0) + 1;
      let times = receipts.get(jobId);
      if (!times) receipts.set(jobId, (times = new Float64Array(count).fill(Number.NaN)));
      times[subscriber] = at - base;
    } else if (block.startsWith(queuedEvent)) {
      queued[subscriber] = (queued[subscriber] ?? 0) + 1;
    }
  };

  const open = (subscriber: number) =>
    new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${origin}/api/events`, { agent, headers: { accept: 'text/event-stream', ...options.headersFor?.(subscriber) } });
      requests.push(request);
      let ended = false;
      const drop = () => {
        if (ended) return;
        ended = true;
        if (!closing) dropped += 1;
      };
      request.on('response', (response: IncomingMessage) => {
        if (response.statusCode !== 200) return reject(new Error(`/api/events answered ${response.statusCode}`));
        response.setEncoding('latin1');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const at = wallClockMs();
          buffer += chunk;
          let boundary: number;
          while ((boundary = buffer.indexOf('\n\n')) >= 0) {
            // Comments (keep-alives, flush padding) start with ':' and are skipped without a copy.
            if (buffer.charCodeAt(0) !== 58) onBlock(subscriber, buffer.slice(0, boundary), at);
            buffer = buffer.slice(boundary + 2);
          }
        });
        response.on('end', drop);
        response.on('error', drop);
        resolve();
      });
      request.on('error', (error) => {
        drop();
        reject(error);
      });
      request.end();
    });

  const batch = options.connectBatch ?? 250;
  for (let first = 0; first < count; first += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - first) }, (_, offset) => open(first + offset)));
  }

  return {
    count,
    dropped: () => dropped,
    completionsPerSubscriber: () => [...completions],
    queuedPerSubscriber: () => [...queued],
    receiveTimes: (jobId) => [...(receipts.get(jobId) ?? [])].filter((time) => Number.isFinite(time)).map((time) => time + base),
    close: () => {
      closing = true;
      for (const request of requests) request.destroy();
      agent.destroy();
    },
  };
}
