import type { JobEvent, NewJobEvent } from '../domain/job-event.ts';

export type EventFilter = {
  jobId?: string;
  /** Absent = every owner; null = events of jobs submitted without a key. */
  ownerKeyId?: string | null;
};

export type EventListener = (event: JobEvent) => void;

/**
 * Ordered, resumable job events. The job store stays the source of truth; events tell subscribers (SSE,
 * sync waiters, webhooks, the runner's cancel signal) that something changed, and `replay` lets a
 * reconnecting client catch up from its last sequence.
 */
export interface EventBus {
  publish(event: NewJobEvent): Promise<JobEvent>;
  subscribe(filter: EventFilter, listener: EventListener): () => void;
  /** Events after `afterSequence`, oldest first, at most `limit`. */
  replay(filter: EventFilter, afterSequence: number, limit: number): Promise<JobEvent[]>;
  /** The newest sequence published so far (0 when none). */
  lastSequence(): Promise<number>;
  close(): Promise<void>;
}

export function matchesFilter(event: JobEvent, filter: EventFilter): boolean {
  if (filter.jobId !== undefined && event.jobId !== filter.jobId) return false;
  if (filter.ownerKeyId !== undefined && (event.ownerKeyId ?? null) !== filter.ownerKeyId) return false;
  return true;
}

/** Synchronous fan-out shared by the implementations; one failing listener never starves the others. */
export class ListenerSet {
  private readonly entries = new Set<{ filter: EventFilter; listener: EventListener }>();

  add(filter: EventFilter, listener: EventListener): () => void {
    const entry = { filter, listener };
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  dispatch(event: JobEvent): void {
    for (const entry of this.entries) {
      if (!matchesFilter(event, entry.filter)) continue;
      try {
        entry.listener(event);
      } catch {
        // A subscriber's bug must not break publishing for everyone else.
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
