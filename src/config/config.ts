import type { SizeLimits } from '../domain/size-rules.ts';

/** Every setting darkroom has, already validated. Built only by {@link loadConfig}. */
export type Config = {
  port: number;
  /** undefined = decide at start: 127.0.0.1 while no API keys exist (open mode), 0.0.0.0 otherwise. */
  host: string | undefined;
  dataDirectory: string;
  /** Base of every absolute URL darkroom hands out, without a trailing slash; undefined = http://localhost:<port>. */
  publicUrl: string | undefined;
  fetchAllowlist: string[];
  store: 'sqlite' | 'memory';
  queueCapacity: number;
  engineConcurrency: Record<string, number>;
  /** Model id → engine id overrides of the default routing. */
  routes: Record<string, string>;
  signedUrlTtlSeconds: number;
  /** undefined = generated once and kept in the data directory. */
  signingSecret: string | undefined;
  limits: {
    maxInputImages: number;
    maxInputBytes: number;
    maxInputPixels: number;
    maxBodyBytes: number;
    maxPromptLength: number;
  };
  syncTimeoutSeconds: number;
  engineTimeoutSeconds: number;
  keepAliveSeconds: number;
  leaseSeconds: number;
  maxAttempts: number;
  accounts: {
    /** JSON file overriding entries of the default price book (`DARKROOM_PRICE_BOOK`); undefined = defaults. */
    priceBookPath: string | undefined;
    /** Finished jobs, their blobs and uploads are purged this many days after completion; 0 = keep forever. */
    retentionDays: number;
    purgeIntervalMinutes: number;
  };
  webhooks: {
    /** `whsec_…`; undefined = generated once and kept in the data directory (`darkroom webhooks secret`). */
    secret: string | undefined;
    /** Delay in seconds before each delivery attempt, the first counted from the job's completion. */
    retryScheduleSeconds: number[];
    timeoutSeconds: number;
  };
  upstreams: {
    openai: { apiKey: string; baseUrl: string | undefined; timeoutSeconds: number } | undefined;
    /** OpenAI-compatible image servers (`DARKROOM_COMPATIBLE_ENGINES`), each an engine with its own id. */
    compatible: CompatibleEngineSettings[];
    /** WaveSpeed API v3 (`WAVESPEED_API_KEY`); `baseUrl` defaults to https://api.wavespeed.ai. */
    wavespeed: { apiKey: string; baseUrl: string; pollIntervalMs: number } | undefined;
    /** fal.ai queue API (`FAL_KEY`); `queueUrl` defaults to https://queue.fal.run. */
    fal: { apiKey: string; queueUrl: string; pollIntervalMs: number } | undefined;
  };
};

/** One entry of `DARKROOM_COMPATIBLE_ENGINES`: an OpenAI-style images server (LocalAI, stable-diffusion.cpp, vLLM-Omni…). */
export type CompatibleEngineSettings = {
  id: string;
  /** Including the `/v1` prefix. */
  baseUrl: string;
  apiKey: string | undefined;
  /** darkroom model id → upstream model id. */
  models: Record<string, string>;
  capabilities: Partial<{
    edit: boolean;
    mask: boolean;
    maxInputImages: number;
    partialImages: boolean;
    transparentBackground: boolean;
    moderation: boolean;
    inputFidelity: boolean;
  }>;
  sizeLimits: Partial<SizeLimits>;
  timeoutSeconds: number;
};
