import type { AttemptOutcome } from './webhook-outbox.ts';

/**
 * Standard Webhooks' example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h —
 * ten attempts, the last about 75.6 hours after the first. Each entry is the delay before that attempt.
 */
export const defaultRetryScheduleSeconds: readonly number[] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];

/** Longest `Retry-After` honoured; a receiver asking for more is retried after a day. */
const maxRetryAfterSeconds = 24 * 3600;

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter: string | null; bodyText: string }
  | { kind: 'error'; message: string };

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), maxRetryAfterSeconds);
  // An HTTP date always names its weekday and month; this keeps `-3` from parsing as the year -3.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, (date - now.getTime()) / 1000), maxRetryAfterSeconds);
}

/** ±20 % so that many deliveries failing together do not come back in lockstep. */
const withJitter = (seconds: number, random: () => number) => seconds * (0.8 + random() * 0.4);

const describeResponse = (status: number, bodyText: string) => {
  const snippet = bodyText.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `the receiver answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
};

/**
 * What to do after attempt number `attempts` (1-based) — every 2xx delivers; 410 Gone disables; otherwise retry
 * on the schedule — or after `Retry-After` on 429/503 — until the schedule runs out, then fail.
 */
export function decideAttemptOutcome(input: {
  result: AttemptResult;
  attempts: number;
  scheduleSeconds: readonly number[];
  now: Date;
  random: () => number;
}): AttemptOutcome {
  const { result, attempts, scheduleSeconds, now, random } = input;
  if (result.kind === 'response' && result.status >= 200 && result.status <= 299) return { state: 'delivered', status: result.status };
  if (result.kind === 'response' && result.status === 410) return { state: 'disabled', status: 410 };
  const status = result.kind === 'response' ? result.status : undefined;
  const error = result.kind === 'response' ? describeResponse(result.status, result.bodyText) : result.message;
  const scheduled = scheduleSeconds[attempts];
  if (scheduled === undefined) return { state: 'failed', ...(status === undefined ? {} : { status }), error };
  const retryAfter =
    result.kind === 'response' && (result.status === 429 || result.status === 503) ? parseRetryAfter(result.retryAfter, now) : undefined;
  const delaySeconds = retryAfter ?? withJitter(scheduled, random);
  return {
    state: 'pending',
    nextAttemptAt: new Date(now.getTime() + Math.round(delaySeconds * 1000)),
    ...(status === undefined ? {} : { status }),
    error,
  };
}
