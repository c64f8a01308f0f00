import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CostStore } from '../accounts/cost-store.ts';
import { resolveUsageOptions, usageQuerySchema } from '../accounts/usage-query.ts';
import { SqliteApiKeyStore } from '../auth/sqlite-api-key-store.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../sqlite/open-database.ts';
import type { CommandContext } from './main.ts';

const help = `Usage: darkroom usage [--from DATE] [--to DATE] [--group-by day,model,key,engine,tier] [--key ID] [--json]

What every job cost, from the recorded job costs in DARKROOM_DATA_DIR/darkroom.db.
  --from DATE      first day (2026-05-01) or instant (ISO), inclusive; default: the 1st of this month, UTC
  --to DATE        last day (inclusive) or instant (exclusive); default: now
  --group-by LIST  dimensions to sum by; default day,model,key
  --key ID         one key's usage only (anonymous = jobs submitted without a key)
  --json           the same object GET /api/usage returns to an admin key`;

export async function usageCommand(context: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: context.args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'group-by': { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    context.stdout(help);
    return 0;
  }
  const parsed = usageQuerySchema.safeParse({ from: values.from, to: values.to, group_by: values['group-by'], key: values.key });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    context.stderr(`darkroom usage: --${String(issue?.path[0] ?? 'option').replace('group_by', 'group-by')} ${issue?.message ?? 'is invalid'}`);
    return 2;
  }
  const config = loadConfig(context.environment);
  const database = openDatabase(join(config.dataDirectory, 'darkroom.db'));
  try {
    const costs = new CostStore(database);
    const names = new Map((await new SqliteApiKeyStore(database).list()).map((record) => [record.id, `${record.name} (${record.prefix}…)`]));
    const options = resolveUsageOptions(parsed.data, new Date(), ['day', 'model', 'key']);
    const keyId = parsed.data.key === undefined ? undefined : parsed.data.key === 'anonymous' ? null : parsed.data.key;
    const rows = costs.usage({ ...options, ...(keyId !== undefined ? { keyId } : {}) });
    const totalMicros = rows.reduce((total, row) => total + Math.round(row.usd * 1_000_000), 0);
    const jobs = rows.reduce((total, row) => total + row.jobs, 0);
    const images = rows.reduce((total, row) => total + row.images, 0);
    if (values.json) {
      context.stdout(
        JSON.stringify(
          { object: 'usage', from: options.from.toISOString(), to: options.to.toISOString(), group_by: options.groupBy, total_usd: totalMicros / 1_000_000, total_jobs: jobs, total_images: images, rows },
          null,
          2,
        ),
      );
      return 0;
    }
    context.stdout(`usage from ${options.from.toISOString()} to ${options.to.toISOString()}`);
    const header = [...options.groupBy, 'jobs', 'images', 'usd'];
    const lines = rows.map((row) => [
      ...options.groupBy.map((dimension) => {
        const value = row[dimension];
        if (dimension === 'key') return value ? (names.get(value) ?? value) : 'anonymous';
        return value ?? '-';
      }),
      String(row.jobs),
      String(row.images),
      row.usd.toFixed(4),
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)));
    for (const line of [header, ...lines]) context.stdout(line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
    context.stdout(`total $${(totalMicros / 1_000_000).toFixed(2)} (${jobs} jobs, ${images} images)`);
    return 0;
  } finally {
    database.close();
  }
}
