import type { Context } from 'hono';
import type { JobEvent } from '../../domain/job-event.ts';
import type { EventBus, EventFilter } from '../../events/event-bus.ts';
import { encodeSseMessage, openSseResponse, type SseMessage, type SseSink } from './sse-sink.ts';

export type { SseMessage } from './sse-sink.ts';

export type StreamJobEventsOptions = {
  events: EventBus;
  filter: EventFilter;
  /** Replay events after this sequence first (from `Last-Event-ID`); undefined = live events only. */
  afterSequence: number | undefined;
  keepAliveMs: number;
  /**
   * Wire messages for one event; none to skip it. Return the same message objects for every subscriber
   * where possible: each message object is encoded once.
   */
  toMessages: (event: JobEvent) => Promise<SseMessage[]> | SseMessage[];
  /** Close the stream after this event has been sent. */
  closeAfter?: (event: JobEvent) => boolean;
  /**
   * Sent first, computed after subscribing so nothing falls between them (e.g. the current status, or
   * jobs that finished just before the client connected).
   */
  initialMessages?: () => Promise<SseMessage[]>;
};

const keepAliveComment = encodeSseMessage({ comment: 'keep-alive' });

/**
 * Server-sent events over the event bus without gaps: subscribe first, replay from the store, then send
 * live events with a higher sequence. Live events whose messages are ready synchronously are written from
 * the bus's own dispatch — no task or promise per subscriber — which is what lets one process fan an event
 * out to thousands of streams. Comments keep proxies from closing idle streams.
 */
export function streamJobEvents(context: Context, options: StreamJobEventsOptions): Response {
  // Subscribed before the response (and its headers) exists: a client that sees the stream open cannot miss
  // an event published after that, which a subscription inside the stream callback would allow.
  const backlog: JobEvent[] = [];
  let sink: SseSink | undefined;
  let ready = false;
  let busy = false;
  let lastSent = 0;
  let keepAlive: NodeJS.Timeout | undefined;

  const finish = () => {
    clearInterval(keepAlive);
    unsubscribe();
    sink?.close();
  };
  const writeAll = (messages: readonly SseMessage[]) => {
    for (const message of messages) sink?.write(encodeSseMessage(message));
  };
  const failed = (error: unknown) => {
    console.error(error);
    finish();
  };
  // Sends the backlog in order; pauses on a message that needs a promise and resumes when it settles.
  const pump = (): void => {
    if (!ready || busy) return;
    busy = true;
    for (let event = backlog.shift(); event && sink && !sink.closed; event = backlog.shift()) {
      if (event.sequence <= lastSent) continue;
      lastSent = event.sequence;
      const current = event;
      const messages = options.toMessages(current);
      if (Array.isArray(messages)) {
        writeAll(messages);
        if (options.closeAfter?.(current)) return finish();
        continue;
      }
      void messages.then((resolved) => {
        writeAll(resolved);
        busy = false;
        if (options.closeAfter?.(current)) finish();
        else pump();
      }, failed);
      return;
    }
    busy = false;
  };
  const unsubscribe = options.events.subscribe(options.filter, (event) => {
    backlog.push(event);
    pump();
  });

  const start = async () => {
    // Live-only streams start at the newest sequence, but never after an event already queued for them.
    const newest = await options.events.lastSequence();
    lastSent = options.afterSequence ?? Math.min(newest, (backlog[0]?.sequence ?? Infinity) - 1);
    writeAll((await options.initialMessages?.()) ?? []);
    if (options.afterSequence !== undefined) {
      const replayed = await options.events.replay(options.filter, options.afterSequence, 10_000);
      // Replayed events go first; live ones that arrived meanwhile follow (duplicates are skipped by sequence).
      backlog.unshift(...replayed);
    }
    ready = true;
    pump();
  };

  return openSseResponse(
    context,
    (opened) => {
      sink = opened;
      keepAlive = setInterval(() => opened.write(keepAliveComment), options.keepAliveMs);
      start().catch(failed);
    },
    finish,
  );
}

/** `Last-Event-ID` header (or `?last_event_id=` for clients that can't set headers) as a sequence. */
export function lastEventId(context: Context): number | undefined {
  const value = context.req.header('last-event-id') ?? context.req.query('last_event_id');
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
