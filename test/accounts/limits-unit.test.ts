import { describe, expect, it } from 'vitest';
import { BudgetLedger, monthStart } from '../../src/accounts/budget-ledger.ts';
import { CostStore } from '../../src/accounts/cost-store.ts';
import { PriceBook } from '../../src/accounts/price-book.ts';
import { rateLimitHeaders, RequestRateLimiter } from '../../src/accounts/request-rate-limiter.ts';
import { Authenticator, type Principal } from '../../src/auth/authenticator.ts';
import { SqliteApiKeyStore } from '../../src/auth/sqlite-api-key-store.ts';
import type { ImageRequestDraft } from '../../src/domain/image-request.ts';
import type { Job } from '../../src/domain/job.ts';
import { openDatabase } from '../../src/sqlite/open-database.ts';
import { sampleDraft, sampleJob } from '../helpers/sample-job.ts';

const draft = (overrides: Partial<ImageRequestDraft> = {}): ImageRequestDraft => (sampleDraft({ model: 'gpt-image-2', prompt: 'x', size: { width: 1024, height: 1024 }, quality: 'high', ...overrides }));
const asJob = (id: string): Job => ({ ...sampleJob({ id }), state: 'queued', result: undefined, error: undefined, attempts: 0, startedAt: undefined, completedAt: undefined });

describe('RequestRateLimiter', () => {
  it('lets a key burst to its rpm, then refills rpm/60 per second', () => {
    let now = 0;
    const limiter = new RequestRateLimiter(() => now);
    const decisions = Array.from({ length: 61 }, () => limiter.take('key', 60));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(60);
    expect(decisions[59]).toMatchObject({ allowed: true, remaining: 0 });
    expect(decisions[60]).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('key', 60).allowed).toBe(true);
    expect(limiter.take('key', 60).allowed).toBe(false);
    expect(limiter.take('other', 60)).toMatchObject({ allowed: true, remaining: 59 });
    now += 60_000;
    expect(limiter.take('key', 60)).toMatchObject({ allowed: true, remaining: 59, resetSeconds: 1 });
    // A lowered limit applies at once.
    expect(limiter.take('key', 2)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('formats RateLimit-Policy and RateLimit as the IETF draft does', () => {
    const limits = { rpm: 60, concurrency: 2, monthlyBudgetUsd: undefined };
    expect(rateLimitHeaders(limits, { allowed: true, remaining: 12, resetSeconds: 48, retryAfterSeconds: 0 }, 1)).toEqual({
      'ratelimit-policy': '"rpm";q=60;w=60, "concurrency";q=2;qu="concurrent-requests"',
      ratelimit: '"rpm";r=12;t=48, "concurrency";r=1',
    });
    expect(rateLimitHeaders({ rpm: undefined, concurrency: undefined, monthlyBudgetUsd: 5 }, undefined, 0)).toEqual({});
  });
});

describe('BudgetLedger', () => {
  const setup = () => {
    const costs = new CostStore(openDatabase(':memory:'));
    const prices = new PriceBook();
    return { costs, prices, ledger: new BudgetLedger({ costs, prices, now: () => new Date('2026-05-20T12:00:00Z') }) };
  };
  const principal: Principal = { keyId: 'key-1', admin: false, limits: { rpm: undefined, concurrency: undefined, monthlyBudgetUsd: 1 } };

  it('reserves synchronously, so of 50 admissions only those the budget affords pass', () => {
    const { ledger } = setup();
    const outcomes = Array.from({ length: 50 }, () => {
      try {
        return ledger.admit({ principal, draft: draft(), engineId: 'fal', copies: 1 });
      } catch (error) {
        return error as Error;
      }
    });
    expect(outcomes.filter((outcome) => !(outcome instanceof Error))).toHaveLength(4);
    expect(outcomes.find((outcome) => outcome instanceof Error)).toMatchObject({ code: 'payment_required', status: 402 });
    expect(ledger.reservedMicros('key-1')).toBe(880_000);
    expect(ledger.liveJobs('key-1')).toBe(4);
  });

  it('moves a job from reserved to spent when its cost is recorded, and frees what was never created', () => {
    const { ledger, costs } = setup();
    const admitted = ledger.admit({ principal, draft: draft(), engineId: 'fal', copies: 3 });
    expect(ledger.reservedMicros('key-1')).toBe(660_000);
    admitted.settle([asJob('a'), asJob('b')]);
    expect(ledger.reservedMicros('key-1')).toBe(440_000);
    const completedAt = new Date('2026-05-20T12:01:00Z');
    costs.record({ jobId: 'a', keyId: 'key-1', model: 'gpt-image-2', engineId: 'fal', state: 'succeeded', images: 1, cost: new PriceBook().estimate('fal', draft()), usage: undefined, eventSequence: 1, createdAt: completedAt, completedAt });
    ledger.release('a');
    expect(ledger.reservedMicros('key-1')).toBe(220_000);
    expect(costs.spentMicros('key-1', monthStart(completedAt))).toBe(220_000);
    // Spent last month does not count.
    expect(costs.spentMicros('key-1', new Date('2026-06-01T00:00:00Z'))).toBe(0);
    // A job that finished before its admission was settled is not reserved again.
    const late = ledger.admit({ principal: { ...principal, keyId: 'key-2' }, draft: draft(), engineId: 'fal', copies: 1 });
    costs.record({ jobId: 'c', keyId: 'key-2', model: 'gpt-image-2', engineId: 'fal', state: 'succeeded', images: 1, cost: new PriceBook().estimate('fal', draft()), usage: undefined, eventSequence: 2, createdAt: completedAt, completedAt });
    late.settle([asJob('c')]);
    expect(ledger.liveJobs('key-2')).toBe(0);
  });

  it('limits concurrent jobs, counts free engines, and restores reservations after a restart', () => {
    const { ledger } = setup();
    const narrow: Principal = { keyId: 'key-3', admin: false, limits: { rpm: undefined, concurrency: 2, monthlyBudgetUsd: 0 } };
    ledger.admit({ principal: narrow, draft: draft(), engineId: 'local', copies: 2 });
    expect(() => ledger.admit({ principal: narrow, draft: draft(), engineId: 'local', copies: 1 })).toThrow(/at most 2 queued or running jobs/);
    expect(() => ledger.admit({ principal: { ...narrow, limits: { ...narrow.limits!, concurrency: undefined } }, draft: draft(), engineId: 'fal', copies: 1 })).toThrow(/monthly budget of \$0\.00/);
    ledger.restore([{ ...asJob('restored'), ownerKeyId: 'key-4', engineId: 'wavespeed', request: { ...asJob('x').request, size: { width: 3840, height: 2160 }, quality: 'low' } }]);
    expect(ledger.reservedMicros('key-4')).toBe(90_000);
  });
});

describe('API keys with limits', () => {
  it('migrates an existing key table and updates limits by id, name or prefix', async () => {
    const database = openDatabase(':memory:');
    database.exec(`CREATE TABLE schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version));
      CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER);
      INSERT INTO schema_migrations VALUES ('api_keys', 1);
      INSERT INTO api_keys VALUES ('old', 'legacy', 'dk_legacy1', 'abc', 1, NULL);`);
    const store = new SqliteApiKeyStore(database);
    expect((await store.list())[0]).toMatchObject({ id: 'old', admin: false, limits: { rpm: undefined, concurrency: undefined, monthlyBudgetUsd: undefined } });
    expect(await store.update('legacy', { rpm: 10, monthlyBudgetUsd: 2.5 })).toMatchObject({ limits: { rpm: 10, monthlyBudgetUsd: 2.5 } });
    expect(await store.update('dk_legacy1', { rpm: null, admin: true })).toMatchObject({ admin: true, limits: { rpm: undefined, monthlyBudgetUsd: 2.5 } });
    expect(await store.update('missing', { rpm: 1 })).toBeUndefined();
  });

  it('gives the principal its admin flag and limits, and remembers unknown keys briefly', async () => {
    const store = new SqliteApiKeyStore(openDatabase(':memory:'));
    const { key } = await store.create('ops', new Date(), { admin: true, limits: { concurrency: 4 } });
    let lookUps = 0;
    const counting = Object.assign(Object.create(store) as SqliteApiKeyStore, {
      findActiveByHash: async (hash: string) => {
        lookUps += 1;
        return store.findActiveByHash(hash);
      },
    });
    const authenticator = new Authenticator(counting);
    expect(await authenticator.authenticate(`Bearer ${key}`)).toMatchObject({ admin: true, limits: { concurrency: 4, rpm: undefined } });
    for (let attempt = 0; attempt < 5; attempt += 1) await expect(authenticator.authenticate('Bearer dk_wrong')).rejects.toMatchObject({ status: 401 });
    expect(lookUps).toBe(2);
  });
});
