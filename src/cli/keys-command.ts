import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteApiKeyStore } from '../auth/sqlite-api-key-store.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../sqlite/open-database.ts';
import type { CommandContext } from './main.ts';

const help = `Usage:
  darkroom keys create --name NAME     Create a key; prints only the key on stdout
  darkroom keys list [--json]          List keys
  darkroom keys revoke ID|NAME|PREFIX  Revoke a key

Keys are stored hashed in DARKROOM_DATA_DIR/darkroom.db; the key itself is shown once.`;

export async function keysCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!action || values.help || action === '--help' || action === '-h') {
    context.stdout(help);
    return action ? 0 : 1;
  }
  const config = loadConfig(context.environment);
  const database = openDatabase(join(config.dataDirectory, 'darkroom.db'));
  const store = new SqliteApiKeyStore(database);
  try {
    switch (action) {
      case 'create': {
        const name = values.name?.trim();
        if (!name) {
          context.stderr('darkroom keys create: --name NAME is required');
          return 2;
        }
        const { key } = await store.create(name, new Date());
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
          context.stdout(`${record.id}  ${record.prefix}…  ${record.name}  created ${record.createdAt.toISOString()}  ${state}`);
        }
        return 0;
      }
      case 'revoke': {
        const target = positionals[0];
        if (!target) {
          context.stderr('darkroom keys revoke: give the key id, name or prefix');
          return 2;
        }
        const revoked = await store.revoke(target, new Date());
        if (!revoked) {
          context.stderr(`darkroom keys revoke: no active key matches "${target}"`);
          return 1;
        }
        context.stdout(`revoked ${revoked.prefix}… (${revoked.name})`);
        return 0;
      }
      default:
        context.stderr(`darkroom keys: unknown action "${action}"\n\n${help}`);
        return 2;
    }
  } finally {
    database.close();
  }
}
