import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchMode } from './bench-modes.ts';
import { startBenchProcess, type BenchProcess } from './bench-processes.ts';
import type { Figure } from './bench-report.ts';
import type { FakeUpstreamStats } from './fake-openai-upstream.ts';
import { requestServerMetrics, type ServerMetrics } from './server-metrics.ts';

/** Cores: servers under test on one, load generator and fake upstream on the other (when taskset works). */
export const serverCpus = '0';
export const clientCpus = '1';

export type DarkroomServer = BenchProcess & {
  dataDirectory: string;
  metrics(options?: { reset?: boolean }): Promise<ServerMetrics>;
};

export type BenchContext = {
  mode: BenchMode;
  upstream: BenchProcess;
  hello: BenchProcess;
  /** Portkey's gateway, or why it could not be started. */
  portkey: BenchProcess | { unavailable: string };
  /** Why `/v1/images/generations` cannot reach the OpenAI engine yet, or undefined when it can (probed once). */
  openAiUnavailable(): Promise<string | undefined>;
  /** Starts a fresh darkroom (new data directory) with these settings over the bench defaults. */
  startDarkroom(environment: Record<string, string>): Promise<DarkroomServer>;
  log(message: string): void;
};

export type ScenarioOutcome = { figures: Figure[]; details: Record<string, unknown> };

export type Scenario = { id: string; title: string; run(context: BenchContext): Promise<ScenarioOutcome> };

/** darkroom settings shared by every scenario; each scenario adds its engine routing and capacity. */
export function darkroomDefaults(upstreamUrl: string, dataDirectory: string): Record<string, string> {
  return {
    PORT: '0',
    DARKROOM_HOST: '127.0.0.1',
    DARKROOM_DATA_DIR: dataDirectory,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${upstreamUrl}/url/v1`,
    // The fake upstream answers URL-form results and serves inputs on loopback.
    DARKROOM_FETCH_ALLOWLIST: '127.0.0.1',
    DARKROOM_ROUTES: 'bench-sleep=bench-sleep',
    DARKROOM_ENGINE_CONCURRENCY: 'openai=10000,bench-sleep=1,local=2',
    DARKROOM_QUEUE_CAPACITY: '10000000',
  };
}

/** `profileDirectory`: run darkroom under `--cpu-prof`, writing a .cpuprofile there when it stops. */
export async function startDarkroomServer(upstreamUrl: string, environment: Record<string, string>, profileDirectory?: string): Promise<DarkroomServer> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-bench-'));
  try {
    const server = await startBenchProcess({
      name: 'darkroom',
      args: [...(profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []), '--import', 'tsx', 'bench/darkroom-bench-server.ts'],
      env: { ...darkroomDefaults(upstreamUrl, dataDirectory), ...environment },
      cpus: serverCpus,
      ipc: true,
    });
    return {
      ...server,
      dataDirectory,
      metrics: (options) => requestServerMetrics(server.child, { reset: options?.reset ?? false }),
      stop: async () => {
        await server.stop();
        rmSync(dataDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDirectory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Sends one `/v1/images/generations` request and checks it reached the OpenAI engine and the fake
 * upstream. Returns why the /v1 figures cannot be measured, or undefined when they can.
 */
export async function probeOpenAiPath(darkroom: BenchProcess, upstream: BenchProcess): Promise<string | undefined> {
  const before = (await upstreamStats(upstream)).requests;
  let response: Response;
  try {
    response = await fetch(`${darkroom.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: 'benchmark probe', response_format: 'url' }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return `POST /v1/images/generations failed: ${(error as Error).message}`;
  }
  const text = await response.text();
  if (response.status === 404 || response.status === 405) return 'POST /v1/images/generations does not exist yet (OpenAI dialect not mounted)';
  const engine = response.headers.get('x-darkroom-engine');
  if (engine && engine !== 'openai') return `gpt-image-2 is served by the ${engine} engine: the OpenAI upstream engine is not registered yet`;
  if (response.status !== 200) return `POST /v1/images/generations answered ${response.status}: ${text.slice(0, 200)}`;
  if ((await upstreamStats(upstream)).requests <= before) return 'the request never reached the fake OpenAI upstream';
  return undefined;
}

export async function upstreamStats(upstream: BenchProcess): Promise<FakeUpstreamStats> {
  const response = await fetch(`${upstream.url}/__stats`);
  return (await response.json()) as FakeUpstreamStats;
}

/** Queues `count` jobs through `POST /api/ai/queue` (25 at a time) and returns their ids; any non-200 throws. */
export async function submitQueueJobs(darkroom: BenchProcess, count: number, body: string, headersFor: (index: number) => Record<string, string> = () => ({})): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - index) }, async (_, offset) => {
        const headers = { 'content-type': 'application/json', ...headersFor(index + offset) };
        const response = await fetch(`${darkroom.url}/api/ai/queue`, { method: 'POST', headers, body });
        const answer = (await response.json()) as { generations?: Array<{ generation_id: string }> };
        const id = answer.generations?.[0]?.generation_id;
        if (response.status !== 200 || !id) throw new Error(`POST /api/ai/queue answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
        return id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}
