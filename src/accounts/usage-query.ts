import { z } from 'zod';
import { usageDimensions, type UsageDimension } from './cost-store.ts';
import { monthStart } from './budget-ledger.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** `2026-05-01` (a UTC day) or an ISO date-time; `end` = the day is included, so the bound is the next midnight. */
function parseBound(value: string, end: boolean): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : new Date(end ? start + dayMs : start);
  }
  const instant = Date.parse(value);
  return Number.isNaN(instant) || !/^\d{4}-\d{2}-\d{2}T/.test(value) ? undefined : new Date(instant);
}

const bound = (end: boolean) =>
  z
    .string()
    .trim()
    .transform((value, context) => {
      const parsed = parseBound(value, end);
      if (!parsed) context.addIssue({ code: 'custom', message: 'must be a date (2026-05-01) or an ISO date-time (2026-05-01T12:00:00Z)' });
      return parsed ?? new Date(0);
    });

const groupBy = z
  .string()
  .trim()
  .transform((value, context) => {
    const dimensions = value.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
    for (const dimension of dimensions) {
      if (!usageDimensions.includes(dimension as UsageDimension)) context.addIssue({ code: 'custom', message: `unknown dimension ${dimension}; use ${usageDimensions.join(', ')}` });
    }
    return [...new Set(dimensions)] as UsageDimension[];
  });

/** `GET /api/usage` and `darkroom usage` options: from (inclusive, default this month's start, UTC), to (exclusive, default now). */
export const usageQuerySchema = z.object({
  from: bound(false).optional(),
  to: bound(true).optional(),
  group_by: groupBy.optional(),
  key: z.string().trim().min(1).optional(),
});

export type UsageOptions = { from: Date; to: Date; groupBy: UsageDimension[] };

export function resolveUsageOptions(query: z.output<typeof usageQuerySchema>, now: Date, defaultGroupBy: UsageDimension[]): UsageOptions {
  return {
    from: query.from ?? monthStart(now),
    // Just past now, so a job finished this millisecond is included.
    to: query.to ?? new Date(now.getTime() + 1),
    groupBy: query.group_by ?? defaultGroupBy,
  };
}
