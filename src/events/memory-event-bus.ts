import type { JobEvent, NewJobEvent } from '../domain/job-event.ts';
import { ListenerSet, matchesFilter, type EventBus, type EventFilter, type EventListener } from './event-bus.ts';

/** In-process bus that keeps the newest `capacity` events for replay. */
export class MemoryEventBus implements EventBus {
  private readonly listeners = new ListenerSet();
  private readonly history: JobEvent[] = [];
  private sequence = 0;

  constructor(private readonly capacity = 10_000) {}

  async publish(newEvent: NewJobEvent): Promise<JobEvent> {
    const event: JobEvent = { ...newEvent, sequence: (this.sequence += 1) };
    this.history.push(event);
    if (this.history.length > this.capacity) this.history.splice(0, this.history.length - this.capacity);
    this.listeners.dispatch(event);
    return event;
  }

  subscribe(filter: EventFilter, listener: EventListener): () => void {
    return this.listeners.add(filter, listener);
  }

  async replay(filter: EventFilter, afterSequence: number, limit: number): Promise<JobEvent[]> {
    const events: JobEvent[] = [];
    for (const event of this.history) {
      if (event.sequence <= afterSequence || !matchesFilter(event, filter)) continue;
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }

  async lastSequence(): Promise<number> {
    return this.sequence;
  }

  async close(): Promise<void> {}
}
