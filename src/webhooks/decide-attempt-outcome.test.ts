import { describe, expect, it } from 'vitest';
import { decideAttemptOutcome, defaultRetryScheduleSeconds, parseRetryAfter, type AttemptResult } from './decide-attempt-outcome.ts';

const now = new Date('2026-01-01T00:00:00Z');
const schedule = [0, 10, 100];
const response = (status: number, retryAfter: string | null = null, bodyText = ''): AttemptResult => ({ kind: 'response', status, retryAfter, bodyText });
const decide = (result: AttemptResult, attempts: number, random = () => 0.5) =>
  decideAttemptOutcome({ result, attempts, scheduleSeconds: schedule, now, random });
const secondsLater = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('decideAttemptOutcome', () => {
  it('delivers on any 2xx and disables on 410', () => {
    expect(decide(response(200), 1)).toEqual({ state: 'delivered', status: 200 });
    expect(decide(response(299), 3)).toEqual({ state: 'delivered', status: 299 });
    expect(decide(response(410), 1)).toEqual({ state: 'disabled', status: 410 });
  });

  it('retries other answers and errors on the schedule, with ±20 % jitter', () => {
    expect(decide(response(500, null, 'oops\n  broken'), 1)).toEqual({
      state: 'pending',
      nextAttemptAt: secondsLater(10),
      status: 500,
      error: 'the receiver answered HTTP 500: oops broken',
    });
    expect(decide(response(302), 2, () => 0)).toMatchObject({ state: 'pending', nextAttemptAt: secondsLater(80) });
    expect(decide(response(404), 2, () => 1)).toMatchObject({ state: 'pending', nextAttemptAt: secondsLater(120) });
    expect(decide({ kind: 'error', message: 'webhook_url: fetching the URL timed out' }, 1)).toEqual({
      state: 'pending',
      nextAttemptAt: secondsLater(10),
      error: 'webhook_url: fetching the URL timed out',
    });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(decide(response(429, '42'), 1)).toMatchObject({ state: 'pending', nextAttemptAt: secondsLater(42), status: 429 });
    expect(decide(response(503, new Date(now.getTime() + 7000).toUTCString()), 1)).toMatchObject({ nextAttemptAt: secondsLater(7) });
    expect(decide(response(500, '42'), 1)).toMatchObject({ nextAttemptAt: secondsLater(10) });
    expect(decide(response(429, 'soon'), 1)).toMatchObject({ nextAttemptAt: secondsLater(10) });
  });

  it('fails once every scheduled attempt was made, even when Retry-After asks for another', () => {
    expect(decide(response(500), 3)).toEqual({ state: 'failed', status: 500, error: 'the receiver answered HTTP 500' });
    expect(decide(response(429, '1'), 3)).toMatchObject({ state: 'failed', status: 429 });
    expect(decide({ kind: 'error', message: 'refused' }, 3)).toEqual({ state: 'failed', error: 'refused' });
  });

  it('has a default schedule of ten attempts spanning more than three days', () => {
    expect(defaultRetryScheduleSeconds).toHaveLength(10);
    const span = defaultRetryScheduleSeconds.reduce((total, delay) => total + delay, 0);
    expect(span).toBeGreaterThan(3 * 24 * 3600);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, caps at a day and ignores junk', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(86_400);
    expect(parseRetryAfter(new Date(now.getTime() - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('later', now)).toBeUndefined();
  });
});
