import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IdempotencyStore } from '../accounts/idempotency-store.ts';
import { RetentionPurger } from '../accounts/retention-purger.ts';
import { DiskBlobStore } from '../blobs/disk-blob-store.ts';
import { loadConfig } from '../config/load-config.ts';
import { SqliteJobStore } from '../jobs/sqlite-job-store.ts';
import { openDatabase } from '../sqlite/open-database.ts';
import type { CommandContext } from './main.ts';

const help = `Usage: darkroom purge [--dry-run] [--json]

Removes finished jobs older than DARKROOM_RETENTION_DAYS (default 30) together with their results, partial
images and inputs, and uploads older than that. A blob a queued or running job still uses is kept. A running
server does the same every DARKROOM_PURGE_INTERVAL_MINUTES.
  --dry-run   only print what would be removed
  --json      print the full report (every job and blob)`;

export async function purgeCommand(context: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: context.args,
    options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    context.stdout(help);
    return 0;
  }
  const config = loadConfig(context.environment);
  if (config.store === 'memory') {
    context.stderr('darkroom purge: DARKROOM_STORE=memory keeps nothing on disk; nothing to purge');
    return 0;
  }
  const dryRun = values['dry-run'] ?? false;
  const database = openDatabase(join(config.dataDirectory, 'darkroom.db'));
  try {
    const purger = new RetentionPurger({
      store: new SqliteJobStore(database),
      blobs: new DiskBlobStore(join(config.dataDirectory, 'blobs')),
      idempotency: new IdempotencyStore(database),
      retentionDays: config.accounts.retentionDays,
      now: () => new Date(),
    });
    const report = await purger.purge({ dryRun });
    if (values.json) {
      context.stdout(JSON.stringify(report, null, 2));
      return 0;
    }
    if (config.accounts.retentionDays === 0) context.stderr('DARKROOM_RETENTION_DAYS=0: jobs and uploads are kept forever');
    const verb = dryRun ? 'would remove' : 'removed';
    for (const job of report.jobs) context.stdout(`${verb} job ${job.id} (${job.state}, finished ${job.completedAt ?? '?'}) and ${job.blobs.length} blob(s)`);
    for (const upload of report.uploads) context.stdout(`${verb} upload ${upload}`);
    for (const kept of report.keptForLiveJobs) context.stdout(`kept ${kept} (a queued or running job uses it)`);
    const blobs = report.jobs.reduce((total, job) => total + job.blobs.length, 0) + report.uploads.length;
    context.stdout(`${dryRun ? 'dry run: ' : ''}${report.jobs.length} job(s) and ${blobs} blob(s) finished before ${report.cutoff} ${verb}`);
    return 0;
  } finally {
    database.close();
  }
}
