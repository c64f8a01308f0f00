import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Environment } from '../../src/config/load-config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import type { ImageEngine } from '../../src/engines/image-engine.ts';

export type TestGateway = Gateway & { baseUrl: string; dataDirectory: string; stop(): Promise<void> };

/** A real darkroom on a real loopback port with its own temporary data directory. */
export async function startTestGateway(
  options: { environment?: Environment; extraEngines?: ImageEngine[] } = {},
): Promise<TestGateway> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-test-'));
  const config = loadConfig({
    PORT: '0',
    DARKROOM_DATA_DIR: dataDirectory,
    DARKROOM_HOST: '127.0.0.1',
    ...options.environment,
  });
  const gateway = await createGateway(config, options.extraEngines ? { extraEngines: options.extraEngines } : {});
  const address = await gateway.listen();
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return Object.assign(gateway, {
    baseUrl,
    dataDirectory,
    async stop() {
      await gateway.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return readJsonResponse(response);
}

/** Status, headers and the JSON body (or `{raw}` when the body is not JSON). */
export async function readJsonResponse(response: Response): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json, headers: response.headers };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}
