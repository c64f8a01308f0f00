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
  upstreams: {
    openai: { apiKey: string; baseUrl: string | undefined } | undefined;
  };
};
