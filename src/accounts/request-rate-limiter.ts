import type { KeyLimits } from '../auth/api-key.ts';

export type RateDecision = {
  allowed: boolean;
  /** Requests left right now. */
  remaining: number;
  /** Seconds until the bucket is full again (the quota fully resets). */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
};

type Bucket = { tokens: number; updatedAt: number; capacity: number };

/**
 * Requests per minute per key as a token bucket held in memory: a key may burst up to its rpm, then gets
 * rpm/60 requests per second back. One Map lookup and a little arithmetic per request, so rejecting is cheap.
 */
export class RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  take(keyId: string, rpm: number): RateDecision {
    const now = this.nowMs();
    const perMs = rpm / 60_000;
    let bucket = this.buckets.get(keyId);
    if (!bucket) {
      bucket = { tokens: rpm, updatedAt: now, capacity: rpm };
      this.buckets.set(keyId, bucket);
    }
    // A lowered limit applies at once; a raised one fills up over time.
    if (bucket.capacity !== rpm) bucket.tokens = Math.min(bucket.tokens, rpm);
    bucket.capacity = rpm;
    bucket.tokens = Math.min(rpm, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((rpm - bucket.tokens) / perMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
    };
  }
}

/**
 * `RateLimit-Policy` / `RateLimit` in the IETF draft's structured form (draft-ietf-httpapi-ratelimit-headers):
 * `"rpm";q=60;w=60` and `"rpm";r=12;t=30`, plus a `concurrency` policy in `concurrent-requests` units.
 */
export function rateLimitHeaders(limits: KeyLimits, rate: RateDecision | undefined, liveJobs: number): Record<string, string> {
  const policies: string[] = [];
  const states: string[] = [];
  if (limits.rpm !== undefined && rate) {
    policies.push(`"rpm";q=${limits.rpm};w=60`);
    states.push(`"rpm";r=${rate.remaining};t=${rate.allowed ? rate.resetSeconds : rate.retryAfterSeconds}`);
  }
  if (limits.concurrency !== undefined) {
    policies.push(`"concurrency";q=${limits.concurrency};qu="concurrent-requests"`);
    states.push(`"concurrency";r=${Math.max(0, limits.concurrency - liveJobs)}`);
  }
  return policies.length === 0 ? {} : { 'ratelimit-policy': policies.join(', '), ratelimit: states.join(', ') };
}
