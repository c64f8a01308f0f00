import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from './config.ts';
import { compatibleEnginesSetting } from './compatible-engines-setting.ts';
import { defaultRetryScheduleSeconds } from '../webhooks/decide-attempt-outcome.ts';
import { isWebhookSecret } from '../webhooks/webhook-secret.ts';

export type Environment = Record<string, string | undefined>;

/** Thrown for settings that cannot start a server; the message lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid darkroom settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const integer = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(minimum, `must be at least ${minimum}`).max(maximum, `must be at most ${maximum}`));

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0),
);

/** `name=value,name=value` pairs, e.g. `local=2,openai=16`. */
const pairs = <T extends z.ZodType<unknown, string>>(valueSchema: T) =>
  list.transform((entries, context) => {
    const result: Record<string, z.output<T>> = {};
    for (const entry of entries) {
      const [name, value, ...rest] = entry.split('=').map((part) => part.trim());
      const parsed = valueSchema.safeParse(value ?? '');
      if (!name || value === undefined || rest.length > 0 || !parsed.success) {
        context.addIssue({ code: 'custom', message: `"${entry}" is not of the form name=value` });
        continue;
      }
      result[name] = parsed.data;
    }
    return result;
  });

/** Seconds with an optional fraction (`0.05`), so tests can compress webhook schedules. */
const seconds = (minimum: number, maximum: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .transform(Number)
    .pipe(z.number().min(minimum, `must be at least ${minimum}`).max(maximum, `must be at most ${maximum}`));

const url = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value), 'must be an absolute http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

const settingsSchema = z.object({
  PORT: integer(0, 65535).default(8080),
  DARKROOM_HOST: z.string().trim().min(1).optional(),
  DARKROOM_DATA_DIR: z.string().trim().min(1).default('./data'),
  DARKROOM_PUBLIC_URL: url.optional(),
  DARKROOM_FETCH_ALLOWLIST: list.default([]),
  DARKROOM_STORE: z.enum(['sqlite', 'memory']).default('sqlite'),
  DARKROOM_QUEUE_CAPACITY: integer(1).default(1000),
  DARKROOM_ENGINE_CONCURRENCY: pairs(integer(1, 10_000)).default({}),
  DARKROOM_ROUTES: pairs(z.string().min(1)).default({}),
  DARKROOM_SIGNED_URL_TTL: integer(1).default(3600),
  DARKROOM_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DARKROOM_MAX_INPUT_BYTES: integer(1024).default(50 * 1024 * 1024),
  DARKROOM_MAX_INPUT_PIXELS: integer(1024).default(50_000_000),
  DARKROOM_MAX_BODY_BYTES: integer(1024).default(100 * 1024 * 1024),
  DARKROOM_SYNC_TIMEOUT: integer(1).default(600),
  DARKROOM_ENGINE_TIMEOUT: integer(1).default(600),
  DARKROOM_KEEPALIVE_SECONDS: integer(1).default(15),
  DARKROOM_LEASE_SECONDS: integer(2).default(30),
  DARKROOM_MAX_ATTEMPTS: integer(1, 100).default(3),
  DARKROOM_PRICE_BOOK: z.string().trim().min(1).optional(),
  DARKROOM_RETENTION_DAYS: integer(0, 36_500).default(30),
  DARKROOM_PURGE_INTERVAL_MINUTES: integer(1, 7 * 24 * 60).default(60),
  DARKROOM_WEBHOOK_SECRET: z
    .string()
    .trim()
    .refine(isWebhookSecret, 'must be whsec_ followed by the base64 of 24 to 64 random bytes')
    .optional(),
  DARKROOM_WEBHOOK_RETRY_SCHEDULE: list
    .pipe(z.array(seconds(0, 7 * 24 * 3600)).min(1, 'must list at least one delay').max(50, 'must list at most 50 delays'))
    .default([...defaultRetryScheduleSeconds]),
  DARKROOM_WEBHOOK_TIMEOUT: seconds(0.05, 300).default(15),
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: url.optional(),
  OPENAI_TIMEOUT_SECONDS: integer(1, 24 * 3600).default(600),
  DARKROOM_COMPATIBLE_ENGINES: compatibleEnginesSetting.default([]),
  WAVESPEED_API_KEY: z.string().trim().min(1).optional(),
  WAVESPEED_BASE_URL: url.default('https://api.wavespeed.ai'),
  WAVESPEED_POLL_INTERVAL_MS: integer(10, 60_000).default(1000),
  FAL_KEY: z.string().trim().min(1).optional(),
  FAL_QUEUE_URL: url.default('https://queue.fal.run'),
  FAL_POLL_INTERVAL_MS: integer(10, 60_000).default(500),
});

export type SettingName = keyof typeof settingsSchema.shape;
const secretSettings = new Set<string>(['OPENAI_API_KEY', 'DARKROOM_COMPATIBLE_ENGINES', 'WAVESPEED_API_KEY', 'FAL_KEY', 'DARKROOM_SIGNING_SECRET', 'DARKROOM_WEBHOOK_SECRET']);
export const settingNames = Object.keys(settingsSchema.shape) as SettingName[];

/**
 * Reads settings from the environment, and from a JSON config file named by `DARKROOM_CONFIG` (keys are the
 * same names as the environment variables; the environment wins). Empty strings count as unset.
 */
export function loadConfig(environment: Environment): Config {
  const fromFile = readConfigFile(environment.DARKROOM_CONFIG);
  const raw: Record<string, string> = {};
  for (const name of settingNames) {
    const value = environment[name] ?? fromFile[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'settings');
        // Settings that hold keys are never echoed back.
        const given = raw[name] === undefined || secretSettings.has(name) ? '' : ` (got "${raw[name]}")`;
        return `${name} ${issue.message}${given}`;
      }),
    );
  }
  const settings = parsed.data;
  return {
    port: settings.PORT,
    host: settings.DARKROOM_HOST,
    dataDirectory: resolve(settings.DARKROOM_DATA_DIR),
    publicUrl: settings.DARKROOM_PUBLIC_URL,
    fetchAllowlist: settings.DARKROOM_FETCH_ALLOWLIST,
    store: settings.DARKROOM_STORE,
    queueCapacity: settings.DARKROOM_QUEUE_CAPACITY,
    engineConcurrency: settings.DARKROOM_ENGINE_CONCURRENCY,
    routes: settings.DARKROOM_ROUTES,
    signedUrlTtlSeconds: settings.DARKROOM_SIGNED_URL_TTL,
    signingSecret: settings.DARKROOM_SIGNING_SECRET,
    limits: {
      maxInputImages: 16,
      maxInputBytes: settings.DARKROOM_MAX_INPUT_BYTES,
      maxInputPixels: settings.DARKROOM_MAX_INPUT_PIXELS,
      maxBodyBytes: settings.DARKROOM_MAX_BODY_BYTES,
      maxPromptLength: 32_000,
    },
    syncTimeoutSeconds: settings.DARKROOM_SYNC_TIMEOUT,
    engineTimeoutSeconds: settings.DARKROOM_ENGINE_TIMEOUT,
    keepAliveSeconds: settings.DARKROOM_KEEPALIVE_SECONDS,
    leaseSeconds: settings.DARKROOM_LEASE_SECONDS,
    maxAttempts: settings.DARKROOM_MAX_ATTEMPTS,
    accounts: {
      priceBookPath: settings.DARKROOM_PRICE_BOOK ? resolve(settings.DARKROOM_PRICE_BOOK) : undefined,
      retentionDays: settings.DARKROOM_RETENTION_DAYS,
      purgeIntervalMinutes: settings.DARKROOM_PURGE_INTERVAL_MINUTES,
    },
    webhooks: {
      secret: settings.DARKROOM_WEBHOOK_SECRET,
      retryScheduleSeconds: settings.DARKROOM_WEBHOOK_RETRY_SCHEDULE,
      timeoutSeconds: settings.DARKROOM_WEBHOOK_TIMEOUT,
    },
    upstreams: {
      openai: settings.OPENAI_API_KEY
        ? { apiKey: settings.OPENAI_API_KEY, baseUrl: settings.OPENAI_BASE_URL, timeoutSeconds: settings.OPENAI_TIMEOUT_SECONDS }
        : undefined,
      compatible: settings.DARKROOM_COMPATIBLE_ENGINES.map((entry) => ({
        id: entry.id,
        baseUrl: entry.baseUrl,
        apiKey: entry.apiKey,
        models: entry.models ?? {},
        capabilities: entry.capabilities ?? {},
        sizeLimits: entry.sizeLimits ?? {},
        timeoutSeconds: settings.OPENAI_TIMEOUT_SECONDS,
      })),
      wavespeed: settings.WAVESPEED_API_KEY
        ? { apiKey: settings.WAVESPEED_API_KEY, baseUrl: settings.WAVESPEED_BASE_URL, pollIntervalMs: settings.WAVESPEED_POLL_INTERVAL_MS }
        : undefined,
      fal: settings.FAL_KEY
        ? { apiKey: settings.FAL_KEY, queueUrl: settings.FAL_QUEUE_URL, pollIntervalMs: settings.FAL_POLL_INTERVAL_MS }
        : undefined,
    },
  };
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`DARKROOM_CONFIG names ${path}, which cannot be read (${(error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError([`DARKROOM_CONFIG file ${path} is not valid JSON`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`DARKROOM_CONFIG file ${path} must hold a JSON object of setting names to values`]);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!settingNames.includes(name as SettingName)) throw new ConfigError([`DARKROOM_CONFIG file ${path}: unknown setting ${name}`]);
    // A JSON setting may be written as JSON in the file.
    if (name === 'DARKROOM_COMPATIBLE_ENGINES' && typeof value !== 'string') values[name] = JSON.stringify(value);
    else values[name] = Array.isArray(value) ? value.join(',') : typeof value === 'object' && value !== null
      ? Object.entries(value).map(([key, entry]) => `${key}=${String(entry)}`).join(',')
      : String(value);
  }
  return values;
}
