import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobResult } from '../domain/job.ts';
import { sampleJob } from '../../test/helpers/sample-job.ts';
import type { JobStore } from './job-store.ts';

const result: JobResult = {
  images: [{ blobKey: 'results/x/0.png', mediaType: 'image/png', format: 'png', width: 4, height: 4, byteLength: 10 }],
  warnings: [],
  usage: undefined,
  size: { width: 4, height: 4 },
};
const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
const claimAt = (seconds: number, workerId = 'worker-a', engineIds = ['local']) => ({
  workerId,
  now: at(seconds),
  leaseUntil: at(seconds + 30),
  engineIds,
});

/** Every JobStore implementation runs this suite (memory and SQLite now; Postgres later). */
export function describeJobStoreContract(name: string, createStore: () => Promise<JobStore> | JobStore): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts queued jobs and finds them by id with every field intact', async () => {
      const newJob = sampleJob({ ownerKeyId: 'key-1', ephemeral: true });
      const inserted = await store.insert(newJob);
      expect(inserted.state).toBe('queued');
      expect(inserted.attempts).toBe(0);
      const found = await store.findById(newJob.id);
      expect(found).toMatchObject({ id: newJob.id, ownerKeyId: 'key-1', ephemeral: true, state: 'queued' });
      expect(found?.request).toEqual(newJob.request);
      expect(found?.createdAt.getTime()).toBe(newJob.createdAt.getTime());
      expect(await store.findById('missing')).toBeUndefined();
    });

    it('lists newest first, filtered by owner, state and model, with cursor paging', async () => {
      const first = await store.insert(sampleJob({ ownerKeyId: 'a' }));
      const second = await store.insert(sampleJob({ ownerKeyId: 'b', model: 'gpt-image-2-edit' }));
      const third = await store.insert(sampleJob({ ownerKeyId: 'a' }));
      await store.insert(sampleJob({ ownerKeyId: undefined }));
      expect((await store.list({ ownerKeyId: 'a', limit: 10 })).map((job) => job.id)).toEqual([third.id, first.id]);
      expect((await store.list({ ownerKeyId: null, limit: 10 })).length).toBe(1);
      expect((await store.list({ limit: 10 })).length).toBe(4);
      expect((await store.list({ model: 'gpt-image-2-edit', limit: 10 })).map((job) => job.id)).toEqual([second.id]);
      expect((await store.list({ ownerKeyId: 'a', beforeJobId: third.id, limit: 10 })).map((job) => job.id)).toEqual([first.id]);
      await store.claimNext(claimAt(0));
      expect((await store.list({ states: ['running'], limit: 10 })).map((job) => job.id)).toEqual([first.id]);
      expect(await store.countQueued()).toBe(3);
    });

    it('claims the oldest runnable job of the given engines, once', async () => {
      const remote = await store.insert(sampleJob({ engineId: 'openai' }));
      const local = await store.insert(sampleJob({ engineId: 'local' }));
      const claimed = await store.claimNext(claimAt(0));
      expect(claimed).toMatchObject({ id: local.id, state: 'running', attempts: 1 });
      expect(claimed?.startedAt?.getTime()).toBe(at(0).getTime());
      expect(await store.claimNext(claimAt(0, 'worker-b'))).toBeUndefined();
      expect((await store.claimNext(claimAt(0, 'worker-b', ['openai'])))?.id).toBe(remote.id);
      expect(await store.claimNext({ ...claimAt(0), engineIds: [] })).toBeUndefined();
    });

    it('writes a result only for the worker holding the lease', async () => {
      const job = await store.insert(sampleJob());
      await store.claimNext(claimAt(0));
      expect(await store.markSucceeded(job.id, 'intruder', result, at(1))).toBe(false);
      expect(await store.markSucceeded(job.id, 'worker-a', result, at(1))).toBe(true);
      expect(await store.markSucceeded(job.id, 'worker-a', result, at(2))).toBe(false);
      const done = await store.findById(job.id);
      expect(done).toMatchObject({ state: 'succeeded', result });
      expect(done?.completedAt?.getTime()).toBe(at(1).getTime());
    });

    it('requeues expired leases so another worker finishes the job exactly once', async () => {
      const job = await store.insert(sampleJob());
      await store.claimNext(claimAt(0, 'crashed-worker'));
      expect(await store.requeueExpiredLeases(at(10))).toEqual([]);
      expect(await store.extendLease(job.id, 'crashed-worker', at(40))).toBe(true);
      expect(await store.requeueExpiredLeases(at(35))).toEqual([]);
      expect(await store.requeueExpiredLeases(at(41))).toEqual([job.id]);
      const reclaimed = await store.claimNext(claimAt(42, 'worker-b'));
      expect(reclaimed).toMatchObject({ id: job.id, attempts: 2 });
      expect(await store.extendLease(job.id, 'crashed-worker', at(100))).toBe(false);
      expect(await store.markSucceeded(job.id, 'crashed-worker', result, at(43))).toBe(false);
      expect(await store.markSucceeded(job.id, 'worker-b', result, at(43))).toBe(true);
    });

    it('finds every job as of its latest write, read between each step', async () => {
      const job = await store.insert(sampleJob());
      const state = async () => (await store.findById(job.id))?.state;
      expect(await state()).toBe('queued');
      await store.claimNext(claimAt(0, 'crashed-worker'));
      expect(await store.findById(job.id)).toMatchObject({ state: 'running', attempts: 1 });
      await store.requeueExpiredLeases(at(31));
      expect(await state()).toBe('queued');
      await store.claimNext(claimAt(32, 'worker-b'));
      expect(await store.findById(job.id)).toMatchObject({ state: 'running', attempts: 2 });
      await store.markSucceeded(job.id, 'worker-b', result, at(33));
      expect(await store.findById(job.id)).toMatchObject({ state: 'succeeded', result });
      await store.delete(job.id);
      expect(await store.findById(job.id)).toBeUndefined();
      const cancelled = await store.insert(sampleJob());
      expect((await store.findById(cancelled.id))?.state).toBe('queued');
      await store.cancel(cancelled.id, at(40));
      expect((await store.findById(cancelled.id))?.state).toBe('cancelled');
    });

    it('fails jobs for good, or requeues them for a retry after a delay', async () => {
      const job = await store.insert(sampleJob());
      await store.claimNext(claimAt(0));
      const error = { code: 'upstream_error' as const, message: 'upstream said 500' };
      expect(await store.markFailed(job.id, 'worker-a', error, at(1), at(60))).toBe(true);
      expect(await store.findById(job.id)).toMatchObject({ state: 'queued' });
      expect(await store.claimNext(claimAt(30))).toBeUndefined();
      expect((await store.claimNext(claimAt(61)))?.id).toBe(job.id);
      expect(await store.markFailed(job.id, 'worker-a', error, at(62))).toBe(true);
      expect(await store.findById(job.id)).toMatchObject({ state: 'failed', error, attempts: 2 });
    });

    it('counts queued jobs through claims, retries, cancels and lease expiry', async () => {
      const first = await store.insert(sampleJob());
      const second = await store.insert(sampleJob());
      await store.insert(sampleJob());
      expect(await store.countQueued()).toBe(3);
      await store.claimNext(claimAt(0));
      expect(await store.countQueued()).toBe(2);
      await store.markFailed(first.id, 'worker-a', { code: 'upstream_error', message: 'retry me' }, at(1), at(2));
      expect(await store.countQueued()).toBe(3);
      await store.cancel(second.id, at(3));
      expect(await store.countQueued()).toBe(2);
      await store.claimNext(claimAt(4));
      await store.cancel(first.id, at(5)); // running → cancelled: the queue is unchanged
      expect(await store.countQueued()).toBe(1);
      await store.claimNext(claimAt(6, 'crashed-worker'));
      expect(await store.countQueued()).toBe(0);
      await store.requeueExpiredLeases(at(100));
      expect(await store.countQueued()).toBe(1);
    });

    it('cancels queued and running jobs but leaves terminal ones alone', async () => {
      const queued = await store.insert(sampleJob());
      const running = await store.insert(sampleJob());
      const finished = await store.insert(sampleJob());
      await store.claimNext(claimAt(0)); // queued job is the oldest
      expect((await store.cancel(queued.id, at(1)))?.state).toBe('cancelled');
      await store.claimNext(claimAt(1));
      expect((await store.cancel(running.id, at(2)))?.state).toBe('cancelled');
      expect(await store.markSucceeded(running.id, 'worker-a', result, at(3))).toBe(false);
      await store.claimNext(claimAt(3));
      await store.markSucceeded(finished.id, 'worker-a', result, at(4));
      expect((await store.cancel(finished.id, at(5)))?.state).toBe('succeeded');
      expect(await store.cancel('missing', at(5))).toBeUndefined();
    });

    it('lists jobs finished before a time and deletes only finished jobs', async () => {
      const early = await store.insert(sampleJob());
      const late = await store.insert(sampleJob());
      const live = await store.insert(sampleJob());
      await store.claimNext(claimAt(0));
      await store.markSucceeded(early.id, 'worker-a', result, at(10));
      await store.claimNext(claimAt(10));
      await store.markFailed(late.id, 'worker-a', { code: 'upstream_error', message: 'boom' }, at(100));
      const expired = await store.list({ states: ['succeeded', 'failed', 'cancelled'], completedBefore: at(50), limit: 10 });
      expect(expired.map((job) => job.id)).toEqual([early.id]);
      expect(await store.delete(live.id)).toBe(false);
      expect(await store.delete(early.id)).toBe(true);
      expect(await store.delete(early.id)).toBe(false);
      expect(await store.findById(early.id)).toBeUndefined();
      expect(await store.findById(live.id)).toBeDefined();
      expect((await store.list({ completedBefore: at(200), limit: 10 })).map((job) => job.id)).toEqual([late.id]);
    });
  });
}
