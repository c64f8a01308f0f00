import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { JobEvent } from '../../domain/job-event.ts';
import type { EventBus, EventFilter } from '../../events/event-bus.ts';

export type SseMessage = { event?: string; data: string; id?: string } | { comment: string };

async function write(stream: SSEStreamingApi, message: SseMessage): Promise<void> {
  if ('comment' in message) await stream.write(`: ${message.comment}\n\n`);
  else await stream.writeSSE(message);
}

export type StreamJobEventsOptions = {
  events: EventBus;
  filter: EventFilter;
  /** Replay events after this sequence first (from `Last-Event-ID`); undefined = live events only. */
  afterSequence: number | undefined;
  keepAliveMs: number;
  /** Wire messages for one event; none to skip it. */
  toMessages: (event: JobEvent) => Promise<SseMessage[]> | SseMessage[];
  /** Close the stream after this event has been sent. */
  closeAfter?: (event: JobEvent) => boolean;
  /**
   * Sent first, computed after subscribing so nothing falls between them (e.g. the current status, or
   * jobs that finished just before the client connected).
   */
  initialMessages?: () => Promise<SseMessage[]>;
};

/**
 * Server-sent events over the event bus without gaps: subscribe first, replay from the store, then send
 * live events with a higher sequence. Comments keep proxies from closing idle streams.
 */
export function streamJobEvents(context: Context, options: StreamJobEventsOptions): Response {
  context.header('cache-control', 'no-cache');
  context.header('x-accel-buffering', 'no');
  // Subscribed before the response (and its headers) exists: a client that sees the stream open cannot miss
  // an event published after that, which a subscription inside the stream callback would allow.
  const queue: JobEvent[] = [];
  let notify: (() => void) | undefined;
  let closed = false;
  const unsubscribe = options.events.subscribe(options.filter, (event) => {
    queue.push(event);
    notify?.();
  });
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => {
      closed = true;
      notify?.();
    });
    const keepAlive = setInterval(() => {
      void stream.write(': keep-alive\n\n').catch(() => undefined);
    }, options.keepAliveMs);
    try {
      // Live-only streams start at the newest sequence, but never after an event already queued for them.
      const newest = await options.events.lastSequence();
      let lastSent = options.afterSequence ?? Math.min(newest, (queue[0]?.sequence ?? Infinity) - 1);
      for (const message of (await options.initialMessages?.()) ?? []) await write(stream, message);
      const send = async (event: JobEvent): Promise<boolean> => {
        if (event.sequence <= lastSent) return false;
        lastSent = event.sequence;
        for (const message of await options.toMessages(event)) await write(stream, message);
        return options.closeAfter?.(event) ?? false;
      };
      if (options.afterSequence !== undefined) {
        for (const event of await options.events.replay(options.filter, options.afterSequence, 10_000)) {
          if (await send(event)) return;
        }
      }
      while (!closed) {
        const event = queue.shift();
        if (event) {
          if (await send(event)) return;
          continue;
        }
        await new Promise<void>((resolve) => {
          notify = resolve;
        });
        notify = undefined;
      }
    } finally {
      clearInterval(keepAlive);
      unsubscribe();
    }
  });
}

/** `Last-Event-ID` header (or `?last_event_id=` for clients that can't set headers) as a sequence. */
export function lastEventId(context: Context): number | undefined {
  const value = context.req.header('last-event-id') ?? context.req.query('last_event_id');
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
