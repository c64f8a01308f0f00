import { beforeEach, describe, expect, it } from 'vitest';
import type { NewWebhookDelivery, WebhookOutbox } from './webhook-outbox.ts';

const start = 1_700_000_000_000;
const at = (offsetMs: number) => new Date(start + offsetMs);

const delivery = (jobId: string, dueInMs = 0): NewWebhookDelivery => ({
  id: `msg_${jobId}`,
  jobId,
  url: `https://hooks.example.com/${jobId}`,
  body: JSON.stringify({ job: jobId, note: 'exact text ✓' }),
  createdAt: at(0),
  nextAttemptAt: at(dueInMs),
});

const claim = (outbox: WebhookOutbox, dispatcherId: string, nowMs: number, limit = 10) =>
  outbox.claimDue({ dispatcherId, now: at(nowMs), leaseUntil: at(nowMs + 1000), limit });

/** Every WebhookOutbox implementation runs this suite (memory and SQLite). */
export function describeWebhookOutboxContract(name: string, createOutbox: () => Promise<WebhookOutbox> | WebhookOutbox): void {
  describe(`WebhookOutbox contract: ${name}`, () => {
    let outbox: WebhookOutbox;
    beforeEach(async () => {
      outbox = await createOutbox();
    });

    it('records a pending delivery with its exact body, once per job', async () => {
      const recorded = await outbox.record(delivery('job-1'));
      expect(recorded).toMatchObject({ id: 'msg_job-1', jobId: 'job-1', state: 'pending', attempts: 0, lastStatus: undefined, lastError: undefined });
      expect(recorded.body).toBe(delivery('job-1').body);
      const again = await outbox.record({ ...delivery('job-1'), id: 'msg_other', body: '{"different":true}' });
      expect(again.id).toBe('msg_job-1');
      expect(again.body).toBe(delivery('job-1').body);
      expect((await outbox.findByJobId('job-1'))?.id).toBe('msg_job-1');
      expect(await outbox.findByJobId('missing')).toBeUndefined();
    });

    it('claims only due, unleased deliveries, oldest due first, counting the attempt', async () => {
      await outbox.record(delivery('late', 500));
      await outbox.record(delivery('early', 100));
      await outbox.record(delivery('future', 10_000));
      expect(await claim(outbox, 'a', 50)).toEqual([]);
      const first = await claim(outbox, 'a', 600);
      expect(first.map((entry) => entry.jobId)).toEqual(['early', 'late']);
      expect(first.every((entry) => entry.attempts === 1)).toBe(true);
      expect(first[0]?.lastAttemptAt).toEqual(at(600));
      // Leased to "a": another dispatcher gets nothing until the lease ends.
      expect(await claim(outbox, 'b', 700)).toEqual([]);
      const reclaimed = await claim(outbox, 'b', 1600);
      expect(reclaimed.map((entry) => `${entry.jobId}:${entry.attempts}`)).toEqual(['early:2', 'late:2']);
    });

    it('respects the claim limit', async () => {
      for (const jobId of ['a', 'b', 'c']) await outbox.record(delivery(jobId));
      expect((await claim(outbox, 'x', 0, 2)).length).toBe(2);
      expect((await claim(outbox, 'x', 0, 2)).length).toBe(1);
    });

    it('applies outcomes only for the lease holder', async () => {
      await outbox.record(delivery('job-1'));
      await claim(outbox, 'a', 0);
      expect(await outbox.recordAttempt('msg_job-1', 'intruder', { state: 'delivered', status: 200 })).toBe(false);
      expect(await outbox.recordAttempt('msg_job-1', 'a', { state: 'pending', nextAttemptAt: at(5000), status: 500, error: 'HTTP 500' })).toBe(true);
      expect(await outbox.findByJobId('job-1')).toMatchObject({ state: 'pending', lastStatus: 500, lastError: 'HTTP 500', nextAttemptAt: at(5000) });
      // The lease was released with the outcome, and the retry is not due before its time.
      expect(await claim(outbox, 'b', 4000)).toEqual([]);
      expect(await outbox.recordAttempt('msg_job-1', 'a', { state: 'delivered', status: 200 })).toBe(false);
      expect((await claim(outbox, 'b', 5000)).map((entry) => entry.attempts)).toEqual([2]);
      expect(await outbox.recordAttempt('msg_job-1', 'b', { state: 'delivered', status: 204 })).toBe(true);
      expect(await outbox.findByJobId('job-1')).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204, lastError: undefined });
      expect(await claim(outbox, 'c', 100_000)).toEqual([]);
    });

    it('keeps failed and disabled deliveries out of every later claim', async () => {
      await outbox.record(delivery('gave-up'));
      await outbox.record(delivery('gone'));
      await claim(outbox, 'a', 0);
      await outbox.recordAttempt('msg_gave-up', 'a', { state: 'failed', error: 'connection refused' });
      await outbox.recordAttempt('msg_gone', 'a', { state: 'disabled', status: 410 });
      expect(await outbox.findByJobId('gave-up')).toMatchObject({ state: 'failed', lastError: 'connection refused', lastStatus: undefined });
      expect(await outbox.findByJobId('gone')).toMatchObject({ state: 'disabled', lastStatus: 410 });
      expect(await claim(outbox, 'b', 100_000)).toEqual([]);
      expect(await outbox.nextDueAt()).toBeUndefined();
    });

    it('reports when the next pending delivery becomes claimable', async () => {
      expect(await outbox.nextDueAt()).toBeUndefined();
      await outbox.record(delivery('later', 3000));
      await outbox.record(delivery('sooner', 200));
      expect(await outbox.nextDueAt()).toEqual(at(200));
      await claim(outbox, 'a', 200);
      // "sooner" is leased until 1200, which is still before "later" is due.
      expect(await outbox.nextDueAt()).toEqual(at(1200));
    });

    it('releases leases left by a previous process so their deliveries can be claimed at once', async () => {
      await outbox.record(delivery('job-1'));
      await claim(outbox, 'dead-process', 0);
      expect(await claim(outbox, 'new-process', 10)).toEqual([]);
      expect(await outbox.releaseLeases()).toBe(1);
      expect((await claim(outbox, 'new-process', 10)).map((entry) => entry.attempts)).toEqual([2]);
    });
  });
}
