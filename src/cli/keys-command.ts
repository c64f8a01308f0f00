import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiKeyRecord, KeyChanges } from '../auth/api-key.ts';
import { SqliteApiKeyStore } from '../auth/sqlite-api-key-store.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../sqlite/open-database.ts';
import type { CommandContext } from './main.ts';

const help = `Usage:
  darkroom keys create --name NAME [--admin] [--rpm N] [--concurrency N] [--budget-usd N]
                                       Create a key; prints only the key on stdout
  darkroom keys list [--json]          List keys with their limits
  darkroom keys revoke ID|NAME|PREFIX  Revoke a key
  darkroom keys set-budget ID|NAME|PREFIX --usd N|none
                                       Monthly budget in USD (calendar month, UTC); none = unlimited
  darkroom keys set-limits ID|NAME|PREFIX [--rpm N|none] [--concurrency N|none]
                                       Requests per minute and queued+running jobs; none = unlimited

Keys are stored hashed in DARKROOM_DATA_DIR/darkroom.db; the key itself is shown once. Admin keys may
manage keys over /api/admin/keys and see every key's jobs and usage. Running servers pick changes up
within seconds.`;

class UsageError extends Error {}

/** `none` clears a limit; otherwise a whole number ≥ 1 (or a USD amount ≥ 0 for budgets). */
function parseLimit(option: string, value: string | undefined, kind: 'count' | 'usd'): number | null | undefined {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  const number = Number(value);
  const valid = kind === 'count' ? Number.isInteger(number) && number >= 1 : Number.isFinite(number) && number >= 0;
  if (value.trim() === '' || !valid) {
    throw new UsageError(`--${option} must be ${kind === 'count' ? 'a whole number of at least 1' : 'an amount of USD of 0 or more'}, or none (got "${value}")`);
  }
  return number;
}

function describeLimits(record: ApiKeyRecord): string {
  const { rpm, concurrency, monthlyBudgetUsd } = record.limits;
  return [
    record.admin ? 'admin' : 'key',
    `rpm=${rpm ?? 'unlimited'}`,
    `concurrency=${concurrency ?? 'unlimited'}`,
    `budget=${monthlyBudgetUsd === undefined ? 'unlimited' : `$${monthlyBudgetUsd.toFixed(2)}/month`}`,
  ].join(' ');
}

export async function keysCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      json: { type: 'boolean' },
      admin: { type: 'boolean' },
      rpm: { type: 'string' },
      concurrency: { type: 'string' },
      'budget-usd': { type: 'string' },
      usd: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!action || values.help || action === '--help' || action === '-h') {
    context.stdout(help);
    return action ? 0 : 1;
  }
  const config = loadConfig(context.environment);
  const database = openDatabase(join(config.dataDirectory, 'darkroom.db'));
  const store = new SqliteApiKeyStore(database);
  const update = async (changes: KeyChanges): Promise<number> => {
    const target = positionals[0];
    if (!target) throw new UsageError(`darkroom keys ${action}: give the key id, name or prefix`);
    const record = await store.update(target, changes).catch((error: unknown) => {
      throw new UsageError(`darkroom keys ${action}: ${(error as Error).message}`);
    });
    if (!record) {
      context.stderr(`darkroom keys ${action}: no active key matches "${target}"`);
      return 1;
    }
    context.stdout(`${record.prefix}… (${record.name}): ${describeLimits(record)}`);
    return 0;
  };
  try {
    switch (action) {
      case 'create': {
        const name = values.name?.trim();
        if (!name) throw new UsageError('darkroom keys create: --name NAME is required');
        const rpm = parseLimit('rpm', values.rpm, 'count');
        const concurrency = parseLimit('concurrency', values.concurrency, 'count');
        const budget = parseLimit('budget-usd', values['budget-usd'], 'usd');
        const { key } = await store.create(name, new Date(), {
          admin: values.admin ?? false,
          limits: {
            ...(rpm != null ? { rpm } : {}),
            ...(concurrency != null ? { concurrency } : {}),
            ...(budget != null ? { monthlyBudgetUsd: budget } : {}),
          },
        });
        context.stdout(key);
        return 0;
      }
      case 'list': {
        const records = await store.list();
        if (values.json) {
          context.stdout(JSON.stringify(records, null, 2));
          return 0;
        }
        if (records.length === 0) context.stderr('no keys (the server runs in open mode on 127.0.0.1)');
        for (const record of records) {
          const state = record.revokedAt ? `revoked ${record.revokedAt.toISOString()}` : 'active';
          context.stdout(`${record.id}  ${record.prefix}…  ${record.name}  ${describeLimits(record)}  created ${record.createdAt.toISOString()}  ${state}`);
        }
        return 0;
      }
      case 'revoke': {
        const target = positionals[0];
        if (!target) throw new UsageError('darkroom keys revoke: give the key id, name or prefix');
        const revoked = await store.revoke(target, new Date());
        if (!revoked) {
          context.stderr(`darkroom keys revoke: no active key matches "${target}"`);
          return 1;
        }
        context.stdout(`revoked ${revoked.prefix}… (${revoked.name})`);
        return 0;
      }
      case 'set-budget': {
        const usd = parseLimit('usd', values.usd, 'usd');
        if (usd === undefined) throw new UsageError('darkroom keys set-budget: --usd N (or --usd none) is required');
        return await update({ monthlyBudgetUsd: usd });
      }
      case 'set-limits': {
        const rpm = parseLimit('rpm', values.rpm, 'count');
        const concurrency = parseLimit('concurrency', values.concurrency, 'count');
        if (rpm === undefined && concurrency === undefined) throw new UsageError('darkroom keys set-limits: give --rpm and/or --concurrency');
        return await update({ ...(rpm !== undefined ? { rpm } : {}), ...(concurrency !== undefined ? { concurrency } : {}) });
      }
      default:
        context.stderr(`darkroom keys: unknown action "${action}"\n\n${help}`);
        return 2;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.stderr(error.message);
    return 2;
  } finally {
    database.close();
  }
}
