import { z } from 'zod';

/** Engine ids darkroom registers itself; a compatible engine may not take one. */
const reservedEngineIds = ['local', 'openai', 'fal', 'wavespeed'];

const count = (minimum: number) => z.number().int(`must be a whole number`).min(minimum, `must be at least ${minimum}`);

const entrySchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, "-" or "_" (e.g. "localai")')
    .refine((id) => !reservedEngineIds.includes(id), `is reserved for a built-in engine (${reservedEngineIds.join(', ')})`),
  baseUrl: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value), 'must be an absolute http(s) URL, including /v1 (e.g. "http://localhost:8080/v1")')
    .transform((value) => value.replace(/\/+$/, '')),
  apiKey: z.string().trim().min(1, 'must not be empty (leave it out for a keyless server)').optional(),
  models: z.record(z.string().min(1), z.string().min(1, 'upstream model ids must not be empty')).optional(),
  capabilities: z
    .strictObject({
      edit: z.boolean(),
      mask: z.boolean(),
      maxInputImages: count(1).max(16, 'must be at most 16'),
      partialImages: z.boolean(),
      transparentBackground: z.boolean(),
      moderation: z.boolean(),
      inputFidelity: z.boolean(),
    })
    .partial()
    .optional(),
  sizeLimits: z
    .strictObject({
      edgeMultiple: count(1),
      minEdge: count(1),
      maxEdge: count(1),
      maxAspectRatio: z.number().min(1, 'must be at least 1'),
      minPixels: count(1),
      maxPixels: count(1),
    })
    .partial()
    .optional(),
});

export type CompatibleEngineEntry = z.output<typeof entrySchema>;

const listSchema = z.array(entrySchema).superRefine((entries, context) => {
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (seen.has(entry.id)) context.addIssue({ code: 'custom', path: [index, 'id'], message: `"${entry.id}" is used by more than one engine` });
    seen.add(entry.id);
  }
});

/**
 * `DARKROOM_COMPATIBLE_ENGINES`: a JSON array of OpenAI-compatible image servers. Every problem is reported
 * with its place in the array (`[0].baseUrl: …`); values are never echoed, since entries hold API keys.
 */
export const compatibleEnginesSetting = z.string().transform((text, context): CompatibleEngineEntry[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `is not valid JSON (${(error as Error).message}); expected an array like [{"id":"localai","baseUrl":"http://localhost:8080/v1"}]` });
    return z.NEVER;
  }
  const result = listSchema.safeParse(parsed);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    context.addIssue({ code: 'custom', message: `${path === '' ? 'the value' : path.replace(/^\./, '')}: ${issue.message}` });
  }
  return z.NEVER;
});
