import type { z } from 'zod';
import { GatewayError } from '../../domain/gateway-error.ts';

/** The first schema issue as a 400 naming the field (`input_image.2`) and the reason. */
export function zodToGatewayError(error: z.ZodError, fieldPrefix: string[] = []): GatewayError {
  const issue = error.issues[0];
  const field = [...fieldPrefix, ...(issue?.path ?? [])].map(String).join('.') || 'body';
  const reason = issue?.message ?? 'invalid value';
  return new GatewayError('invalid_request', `${field}: ${reason}`, {
    field,
    details: error.issues.slice(0, 10).map((entry) => ({ field: [...fieldPrefix, ...entry.path].map(String).join('.'), message: entry.message })),
  });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, fieldPrefix: string[] = []): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToGatewayError(parsed.error, fieldPrefix);
  return parsed.data;
}
