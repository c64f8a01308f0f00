import type { Context } from 'hono';
import { z } from 'zod';
import type { ApiKeyRecord } from '../../auth/api-key.ts';
import type { ApiKeyStore } from '../../auth/api-key-store.ts';
import type { Principal } from '../../auth/authenticator.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { DialectServices } from '../dialect.ts';
import { toOxenError } from '../oxen/to-oxen-error.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { authenticate, createDialectApp, limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { parseWith } from '../shared/zod-error.ts';
import type { Accounts } from '../../accounts/accounts.ts';
import { monthStart } from '../../accounts/budget-ledger.ts';
import { estimateDialects, toEstimatedDraft } from './to-estimated-draft.ts';
import { microsToUsd } from '../../accounts/price-book.ts';
import { resolveUsageOptions, usageQuerySchema } from '../../accounts/usage-query.ts';

const limit = z.int().min(1).max(1_000_000_000);
const budget = z.number().finite().min(0).max(1_000_000_000);

const newKeySchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  admin: z.boolean().default(false),
  rpm: limit.nullish(),
  concurrency: limit.nullish(),
  monthly_budget_usd: budget.nullish(),
});

const keyChangesSchema = z
  .strictObject({ admin: z.boolean().optional(), rpm: limit.nullable().optional(), concurrency: limit.nullable().optional(), monthly_budget_usd: budget.nullable().optional() })
  .refine((changes) => Object.keys(changes).length > 0, 'give at least one of admin, rpm, concurrency, monthly_budget_usd');

const estimateQuerySchema = z.object({
  dialect: z.enum(estimateDialects).default('oxen'),
  app: z.string().trim().min(1).optional(),
  endpoint: z.string().trim().min(1).optional(),
});

const seconds = (date: Date | undefined): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

/**
 * darkroom's own accounting API, in Oxen's error envelope: `GET /api/usage`, `POST /api/usage/estimate`, and
 * key administration under `/api/admin/keys` (admin keys only).
 */
export function createAccountRoutes(services: DialectServices, accounts: Accounts, keys: ApiKeyStore) {
  const app = createDialectApp(toOxenError);
  app.use('/api/usage', authenticate(services));
  app.use('/api/usage/*', authenticate(services));
  app.use('/api/admin/*', authenticate(services));

  const keyObject = (record: ApiKeyRecord): JsonObject => ({
    id: record.id,
    object: 'api_key',
    name: record.name,
    prefix: record.prefix,
    admin: record.admin,
    rpm: record.limits.rpm ?? null,
    concurrency: record.limits.concurrency ?? null,
    monthly_budget_usd: record.limits.monthlyBudgetUsd ?? null,
    spent_this_month_usd: microsToUsd(accounts.costs.spentMicros(record.id, monthStart(services.now()))),
    created_at: seconds(record.createdAt),
    revoked_at: seconds(record.revokedAt),
  });

  app.get('/api/usage', async (context) => {
    const principal = context.get('principal');
    const query = parseWith(usageQuerySchema, context.req.query());
    if (query.key && !principal.admin) throw new GatewayError('forbidden', 'Only admin keys may read other keys\u2019 usage', { field: 'key' });
    const everyone = principal.admin && !query.key;
    const options = resolveUsageOptions(query, services.now(), everyone ? ['day', 'model', 'key'] : ['day', 'model']);
    const keyId = principal.admin ? (query.key === 'anonymous' ? null : query.key) : (principal.keyId ?? null);
    const rows = accounts.costs.usage({ ...options, ...(keyId !== undefined ? { keyId } : {}) });
    const names = options.groupBy.includes('key') ? new Map((await keys.list()).map((record) => [record.id, record.name])) : undefined;
    const totalMicros = rows.reduce((total, row) => total + Math.round(row.usd * 1_000_000), 0);
    return context.json({
      object: 'usage',
      from: options.from.toISOString(),
      to: options.to.toISOString(),
      group_by: options.groupBy,
      total_usd: microsToUsd(totalMicros),
      total_jobs: rows.reduce((total, row) => total + row.jobs, 0),
      total_images: rows.reduce((total, row) => total + row.images, 0),
      rows: rows.map((row) => (names && 'key' in row ? { ...row, key_name: row.key ? (names.get(row.key) ?? null) : null } : row)),
      ...(principal.admin && !query.key ? {} : { budget: budgetStatus(principal) }),
    });
  });

  const budgetStatus = (principal: Principal): JsonObject => {
    const spent = accounts.costs.spentMicros(principal.keyId, monthStart(services.now()));
    const reserved = accounts.ledger.reservedMicros(principal.keyId);
    const monthly = principal.limits?.monthlyBudgetUsd;
    return {
      monthly_budget_usd: monthly ?? null,
      spent_this_month_usd: microsToUsd(spent),
      reserved_usd: microsToUsd(reserved),
      remaining_usd: monthly === undefined ? null : Math.max(0, microsToUsd(Math.round(monthly * 1_000_000) - spent - reserved)),
    };
  };

  app.post('/api/usage/estimate', limitBody(services.settings.maxBodyBytes), async (context) => {
    const query = parseWith(estimateQuerySchema, context.req.query());
    const body = await readJsonObject(context);
    const { draft, copies } = toEstimatedDraft({ dialect: query.dialect, target: query.app ?? query.endpoint, body }, services.router, services.settings.maxPromptLength);
    const route = services.router.resolve(draft.model);
    const cost = accounts.prices.estimate(route.engine.engineId, draft);
    return context.json({
      object: 'estimate',
      usd: microsToUsd(cost.micros * copies),
      basis: cost.basis,
      engine: route.engine.engineId,
      model: route.model.id,
      jobs: copies,
      usd_per_job: cost.usd,
      tier: cost.tier,
      details: cost.details,
      ...(accounts.prices.pricingOf(route.engine.engineId).tokens ? { note: 'this engine bills reported tokens; the table price is the estimate' } : {}),
    });
  });

  /** The admin API addresses keys by id only: names may be shared. */
  const activeKey = async (context: Context<AppEnv>): Promise<ApiKeyRecord> => {
    const id = context.req.param('id') ?? '';
    const record = (await keys.list()).find((candidate) => candidate.id === id && !candidate.revokedAt);
    if (!record) throw new GatewayError('not_found', `No active key with id ${id}`, { field: 'id' });
    return record;
  };

  const requireAdmin = (context: Context<AppEnv>): Principal => {
    const principal = context.get('principal');
    if (principal.keyId === undefined) throw new GatewayError('unauthorized', 'An admin API key is required: send "Authorization: Bearer <key>"');
    if (!principal.admin) throw new GatewayError('forbidden', 'This key is not an admin key');
    return principal;
  };

  app.get('/api/admin/keys', async (context) => {
    requireAdmin(context);
    return context.json({ object: 'list', data: (await keys.list()).map(keyObject) });
  });

  app.post('/api/admin/keys', limitBody(64 * 1024), async (context) => {
    requireAdmin(context);
    const body = parseWith(newKeySchema, await readJsonObject(context));
    const { key, record } = await keys.create(body.name, services.now(), {
      admin: body.admin,
      limits: {
        ...(body.rpm != null ? { rpm: body.rpm } : {}),
        ...(body.concurrency != null ? { concurrency: body.concurrency } : {}),
        ...(body.monthly_budget_usd != null ? { monthlyBudgetUsd: body.monthly_budget_usd } : {}),
      },
    });
    // The only time the key is shown.
    return context.json({ ...keyObject(record), key }, 201);
  });

  app.patch('/api/admin/keys/:id', limitBody(64 * 1024), async (context) => {
    requireAdmin(context);
    const body = parseWith(keyChangesSchema, await readJsonObject(context));
    const target = await activeKey(context);
    const record = await keys.update(target.id, {
      ...(body.admin !== undefined ? { admin: body.admin } : {}),
      ...(body.rpm !== undefined ? { rpm: body.rpm } : {}),
      ...(body.concurrency !== undefined ? { concurrency: body.concurrency } : {}),
      ...(body.monthly_budget_usd !== undefined ? { monthlyBudgetUsd: body.monthly_budget_usd } : {}),
    });
    return context.json(keyObject(record ?? target));
  });

  app.delete('/api/admin/keys/:id', async (context) => {
    requireAdmin(context);
    const target = await activeKey(context);
    return context.json(keyObject((await keys.revoke(target.id, services.now())) ?? target));
  });

  return app;
}
