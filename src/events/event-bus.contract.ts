import { beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent, NewJobEvent } from '../domain/job-event.ts';
import type { EventBus } from './event-bus.ts';

const event = (jobId: string, ownerKeyId: string | undefined, type: NewJobEvent['type'] = 'job-queued'): NewJobEvent => ({
  type,
  jobId,
  ownerKeyId,
  model: 'gpt-image-2',
  at: new Date(1_700_000_000_000),
  data: { note: jobId },
});

/** Every EventBus implementation runs this suite (memory and SQLite now; Postgres/Redis later). */
export function describeEventBusContract(name: string, createBus: () => Promise<EventBus> | EventBus): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    beforeEach(async () => {
      bus = await createBus();
    });

    it('delivers and replays events published without waiting in publishing order, terminal ones included', async () => {
      const delivered: string[] = [];
      bus.subscribe({}, (value) => delivered.push(`${value.jobId}:${value.type}`));
      const published = await Promise.all([
        bus.publish(event('x', undefined, 'job-queued')),
        bus.publish(event('x', undefined, 'job-started')),
        bus.publish(event('x', undefined, 'job-succeeded')),
        bus.publish(event('y', undefined, 'job-queued')),
      ]);
      const order = ['x:job-queued', 'x:job-started', 'x:job-succeeded', 'y:job-queued'];
      expect(delivered).toEqual(order);
      expect(published.map((value) => value.sequence)).toEqual([...published.map((value) => value.sequence)].sort((left, right) => left - right));
      const replayed = await bus.replay({}, published[0]!.sequence - 1, 10);
      expect(replayed.map((value) => `${value.jobId}:${value.type}`)).toEqual(order);
    });

    it('assigns strictly increasing sequences and returns the stored event', async () => {
      const first = await bus.publish(event('a', undefined));
      const second = await bus.publish(event('b', undefined));
      expect(second.sequence).toBeGreaterThan(first.sequence);
      expect(first).toMatchObject({ jobId: 'a', type: 'job-queued', data: { note: 'a' } });
      expect(await bus.lastSequence()).toBe(second.sequence);
    });

    it('delivers to matching subscribers only, until they unsubscribe', async () => {
      const received: JobEvent[] = [];
      const ownerOnly: JobEvent[] = [];
      const unsubscribe = bus.subscribe({ jobId: 'job-1' }, (value) => received.push(value));
      bus.subscribe({ ownerKeyId: 'key-1' }, (value) => ownerOnly.push(value));
      await bus.publish(event('job-1', 'key-1'));
      await bus.publish(event('job-2', 'key-2'));
      unsubscribe();
      await bus.publish(event('job-1', 'key-1', 'job-started'));
      expect(received.map((value) => value.type)).toEqual(['job-queued']);
      expect(ownerOnly.map((value) => value.jobId)).toEqual(['job-1', 'job-1']);
    });

    it('keeps publishing when a listener throws', async () => {
      const received: string[] = [];
      bus.subscribe({}, () => {
        throw new Error('broken subscriber');
      });
      bus.subscribe({}, (value) => received.push(value.jobId));
      await bus.publish(event('x', undefined));
      expect(received).toEqual(['x']);
    });

    it('replays events after a sequence, filtered by owner (null = keyless jobs) and job', async () => {
      const first = await bus.publish(event('j1', undefined));
      await bus.publish(event('j2', 'key-1'));
      await bus.publish(event('j3', undefined));
      await bus.publish(event('j1', undefined, 'job-succeeded'));
      const keyless = await bus.replay({ ownerKeyId: null }, first.sequence, 100);
      expect(keyless.map((value) => `${value.jobId}:${value.type}`)).toEqual(['j3:job-queued', 'j1:job-succeeded']);
      expect((await bus.replay({ jobId: 'j1' }, 0, 100)).length).toBe(2);
      expect((await bus.replay({}, 0, 2)).length).toBe(2);
      expect((await bus.replay({ ownerKeyId: 'key-1' }, 0, 100)).map((value) => value.jobId)).toEqual(['j2']);
    });
  });
}
