import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyLimits } from '../../src/auth/api-key.ts';
import { loadConfig, type Environment } from '../../src/config/load-config.ts';
import type { ImageUsage } from '../../src/domain/job.ts';
import type { EngineCallContext, EngineRequest, EngineResult, ImageEngine } from '../../src/engines/image-engine.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { readJsonResponse } from '../helpers/test-gateway.ts';

/** A fake upstream that reports OpenAI-style token usage with every result. */
export class UsageReportingEngine extends FakeImageEngine {
  constructor(engineId: string, private readonly usage: ImageUsage) {
    super(engineId);
  }

  override async run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    return { ...(await super.run(request, context)), usage: this.usage };
  }
}

export type KeySpec = { name: string; admin?: boolean; limits?: Partial<KeyLimits> };

export type AccountsTestGateway = {
  gateway: Gateway;
  baseUrl: string;
  dataDirectory: string;
  /** The created keys by name. */
  keys: Record<string, string>;
  /** Closes the server, keeping the data directory (to start another gateway on it). */
  close(): Promise<void>;
  /** Closes the server and removes the data directory. */
  stop(): Promise<void>;
};

/**
 * A real darkroom on loopback whose keys exist before it listens, so it starts out of open mode at once
 * (no waiting for the open-mode cache), optionally on an existing data directory.
 */
export async function startAccountsGateway(
  options: { environment?: Environment; engines?: ImageEngine[]; keys?: KeySpec[]; dataDirectory?: string } = {},
): Promise<AccountsTestGateway> {
  const dataDirectory = options.dataDirectory ?? mkdtempSync(join(tmpdir(), 'darkroom-accounts-'));
  const config = loadConfig({ PORT: '0', DARKROOM_DATA_DIR: dataDirectory, DARKROOM_HOST: '127.0.0.1', ...options.environment });
  const gateway = await createGateway(config, { extraEngines: options.engines ?? [] });
  const keys: Record<string, string> = {};
  for (const spec of options.keys ?? []) {
    keys[spec.name] = (await gateway.keys.create(spec.name, new Date(), { admin: spec.admin ?? false, limits: spec.limits ?? {} })).key;
  }
  const address = await gateway.listen();
  return {
    gateway,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataDirectory,
    keys,
    close: () => gateway.close(),
    async stop() {
      await gateway.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** POST JSON and read the reply (status, headers, parsed body). */
export async function send(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return readJsonResponse(response);
}

export const generationIds = (json: Record<string, unknown>): string[] =>
  ((json.generations ?? []) as Array<{ generation_id: string }>).map((generation) => generation.generation_id);
