import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../src/accounts/idempotency-store.ts';
import { RetentionPurger } from '../../src/accounts/retention-purger.ts';
import { DiskBlobStore } from '../../src/blobs/disk-blob-store.ts';
import { purgeCommand } from '../../src/cli/purge-command.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { StoredImage } from '../../src/domain/image-request.ts';
import type { JobResult } from '../../src/domain/job.ts';
import { createGateway } from '../../src/gateway.ts';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.ts';
import { openDatabase } from '../../src/sqlite/open-database.ts';
import { sampleJob, sampleRequest } from '../helpers/sample-job.ts';

const dayMs = 24 * 60 * 60 * 1000;
const png = new Uint8Array([137, 80, 78, 71]);
const stored = (blobKey: string): StoredImage => ({ blobKey, mediaType: 'image/png', width: 4, height: 4, byteLength: 4 });
const resultFor = (jobId: string): JobResult => ({
  images: [{ blobKey: `results/${jobId}/0.png`, mediaType: 'image/png', format: 'png', width: 4, height: 4, byteLength: 4 }],
  warnings: [],
  usage: undefined,
  size: { width: 4, height: 4 },
});

/**
 * A data directory as a server leaves it: two old finished jobs (one sharing its inputs with a queued copy),
 * one recent job, an old and a new upload.
 */
async function populate(dataDirectory: string) {
  const database = openDatabase(join(dataDirectory, 'darkroom.db'));
  const store = new SqliteJobStore(database);
  const blobs = new DiskBlobStore(join(dataDirectory, 'blobs'));
  const now = Date.now();
  for (const key of ['inputs/a/0.png', 'inputs/b/0.png', 'inputs/b/mask.png', 'inputs/c/0.png', 'uploads/old/a.png', 'uploads/new/b.png']) {
    await blobs.put(key, png, { mediaType: 'image/png' });
  }
  utimesSync(join(dataDirectory, 'blobs/uploads/old/a.png'), new Date(now - 40 * dayMs), new Date(now - 40 * dayMs));
  const shared = { request: sampleRequest({ inputImages: [stored('inputs/a/0.png')] }), kind: 'edit' as const };
  const oldCopy = await store.insert(sampleJob({ ...shared, engineId: 'local' }));
  const liveCopy = await store.insert(sampleJob({ ...shared, engineId: 'elsewhere' }));
  const oldFailure = await store.insert(sampleJob({ request: sampleRequest({ inputImages: [stored('inputs/b/0.png')], mask: stored('inputs/b/mask.png') }) }));
  const recent = await store.insert(sampleJob({ request: sampleRequest({ inputImages: [stored('inputs/c/0.png')] }) }));
  const claim = (at: number) => store.claimNext({ workerId: 'w', now: new Date(at), leaseUntil: new Date(at + 60_000), engineIds: ['local'] });
  await claim(now - 41 * dayMs);
  await blobs.put(`results/${oldCopy.id}/0.png`, png, { mediaType: 'image/png' });
  await blobs.put(`partials/${oldCopy.id}/0.png`, png, { mediaType: 'image/png' });
  await store.markSucceeded(oldCopy.id, 'w', resultFor(oldCopy.id), new Date(now - 40 * dayMs));
  await claim(now - 36 * dayMs);
  await store.markFailed(oldFailure.id, 'w', { code: 'upstream_error', message: 'boom' }, new Date(now - 35 * dayMs));
  await claim(now - 5 * dayMs);
  await blobs.put(`results/${recent.id}/0.png`, png, { mediaType: 'image/png' });
  await store.markSucceeded(recent.id, 'w', resultFor(recent.id), new Date(now - 5 * dayMs));
  const idempotency = new IdempotencyStore(database);
  idempotency.save('key', 'stale', { fingerprint: 'f', status: 200, headers: {}, body: png, createdAt: new Date(now - 2 * dayMs) });
  idempotency.save('key', 'fresh', { fingerprint: 'f', status: 200, headers: {}, body: png, createdAt: new Date(now) });
  database.close();
  return { oldCopy: oldCopy.id, liveCopy: liveCopy.id, oldFailure: oldFailure.id, recent: recent.id };
}

describe('retention', () => {
  const directories: string[] = [];
  const dataDirectory = () => {
    const directory = mkdtempSync(join(tmpdir(), 'darkroom-retention-'));
    directories.push(directory);
    return directory;
  };
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('purges old jobs with their blobs and old uploads, keeping what live jobs use; a dry run changes nothing', async () => {
    const directory = dataDirectory();
    const ids = await populate(directory);
    const database = openDatabase(join(directory, 'darkroom.db'));
    const store = new SqliteJobStore(database);
    const blobs = new DiskBlobStore(join(directory, 'blobs'));
    const idempotency = new IdempotencyStore(database);
    const purger = new RetentionPurger({ store, blobs, idempotency, retentionDays: 30, now: () => new Date() });
    const allBlobs = await blobs.list('');

    const dryRun = await purger.purge({ dryRun: true });
    expect(dryRun.jobs.map((job) => job.id).sort()).toEqual([ids.oldCopy, ids.oldFailure].sort());
    expect(dryRun.jobs.find((job) => job.id === ids.oldCopy)?.blobs.sort()).toEqual([`partials/${ids.oldCopy}/0.png`, `results/${ids.oldCopy}/0.png`]);
    expect(dryRun.jobs.find((job) => job.id === ids.oldFailure)?.blobs.sort()).toEqual(['inputs/b/0.png', 'inputs/b/mask.png']);
    expect(dryRun.keptForLiveJobs).toEqual(['inputs/a/0.png']);
    expect(dryRun.uploads).toEqual(['uploads/old/a.png']);
    expect(await blobs.list('')).toEqual(allBlobs);
    expect(await store.findById(ids.oldCopy)).toBeDefined();
    expect(idempotency.find('key', 'stale', new Date(0))).toBeDefined();

    const real = await purger.purge({ dryRun: false });
    expect(real.jobs.map((job) => job.id).sort()).toEqual(dryRun.jobs.map((job) => job.id).sort());
    expect(real.idempotentResponses).toBe(1);
    expect(await blobs.list('')).toEqual(['inputs/a/0.png', 'inputs/c/0.png', `results/${ids.recent}/0.png`, 'uploads/new/b.png'].sort());
    expect(await store.findById(ids.oldCopy)).toBeUndefined();
    expect(await store.findById(ids.oldFailure)).toBeUndefined();
    expect((await store.findById(ids.liveCopy))?.state).toBe('queued');
    expect(await store.findById(ids.recent)).toBeDefined();
    expect(idempotency.find('key', 'stale', new Date(0))).toBeUndefined();
    expect(idempotency.find('key', 'fresh', new Date(0))).toBeDefined();

    expect((await purger.purge({ dryRun: false })).jobs).toEqual([]);
    const keepForever = new RetentionPurger({ store, blobs, idempotency, retentionDays: 0, now: () => new Date(Date.now() + 1000 * dayMs) });
    expect((await keepForever.purge({ dryRun: false })).jobs).toEqual([]);
    database.close();
  });

  it('darkroom purge prints what would go, then removes it', async () => {
    const directory = dataDirectory();
    const ids = await populate(directory);
    const output: string[] = [];
    const context = (args: string[]) => ({ args, environment: { DARKROOM_DATA_DIR: directory }, stdout: (text: string) => output.push(text), stderr: (text: string) => output.push(text) });

    expect(await purgeCommand(context(['--dry-run']))).toBe(0);
    expect(output.join('\n')).toContain(`would remove job ${ids.oldCopy} (succeeded`);
    expect(output.join('\n')).toContain('would remove upload uploads/old/a.png');
    expect(output.join('\n')).toContain('kept inputs/a/0.png (a queued or running job uses it)');
    expect(output.at(-1)).toMatch(/^dry run: 2 job\(s\) and 5 blob\(s\) finished before .* would remove$/);
    const blobs = new DiskBlobStore(join(directory, 'blobs'));
    expect(await blobs.head(`results/${ids.oldCopy}/0.png`)).toBeDefined();

    output.length = 0;
    expect(await purgeCommand(context([]))).toBe(0);
    expect(output.join('\n')).toContain(`removed job ${ids.oldFailure} (failed`);
    expect(await blobs.head(`results/${ids.oldCopy}/0.png`)).toBeUndefined();
    expect(await blobs.head('inputs/a/0.png')).toBeDefined();
  });

  it('a server purges at start and then periodically', async () => {
    const directory = dataDirectory();
    const ids = await populate(directory);
    const gateway = await createGateway(loadConfig({ PORT: '0', DARKROOM_DATA_DIR: directory, DARKROOM_HOST: '127.0.0.1' }));
    await gateway.start();
    try {
      for (let attempt = 0; attempt < 100 && (await gateway.store.findById(ids.oldCopy)); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await gateway.store.findById(ids.oldCopy)).toBeUndefined();
      expect(await gateway.blobs.head(`results/${ids.oldCopy}/0.png`)).toBeUndefined();
      expect(await gateway.store.findById(ids.liveCopy)).toBeDefined();
    } finally {
      await gateway.close();
    }
  });
});
