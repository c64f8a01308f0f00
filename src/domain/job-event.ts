import type { JsonObject } from './json-value.ts';

/** Event names are `<noun>-<verb>` from a fixed set. */
export type JobEventType =
  | 'job-queued'
  | 'job-started'
  | 'job-progress'
  | 'job-partial-image'
  | 'job-succeeded'
  | 'job-failed'
  | 'job-cancelled';

export const terminalEventTypes: readonly JobEventType[] = ['job-succeeded', 'job-failed', 'job-cancelled'];

/** `sequence` is strictly increasing per bus; it is the SSE `id:` clients resume from with `Last-Event-ID`. */
export type JobEvent = {
  sequence: number;
  type: JobEventType;
  jobId: string;
  ownerKeyId: string | undefined;
  model: string;
  at: Date;
  data: JsonObject;
};

export type NewJobEvent = Omit<JobEvent, 'sequence'>;
