import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { percentile } from './bench-statistics.ts';

export type LoadRequest = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string | Buffer };

export type LoadResult = {
  /** Time from sending each request to its last body byte, in ms (sub-millisecond resolution). */
  latenciesMs: number[];
  statuses: Record<number, number>;
  /** Connection-level failures (no HTTP status). */
  errors: number;
  responseBytes: number;
  durationMs: number;
  requests: number;
};

export type ClosedLoopOptions = {
  concurrency: number;
  durationMs: number;
  /** Discarded requests first, so connections, JIT and caches are warm. */
  warmupMs?: number;
  /** Stop after this many measured requests even if time remains. */
  maxRequests?: number;
  request: (index: number) => LoadRequest;
  /** Sees every measured response (e.g. to check headers of rejections). */
  onResponse?: (status: number, headers: IncomingHttpHeaders, latencyMs: number) => void;
};

/**
 * A closed-loop load generator: `concurrency` workers each send a request, read the whole body and send
 * the next. Latencies are recorded individually (autocannon rounds to whole milliseconds, too coarse for
 * sub-millisecond overhead figures).
 */
export async function runClosedLoop(origin: string, options: ClosedLoopOptions): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
  try {
    if (options.warmupMs) await drive(pool, { ...options, durationMs: options.warmupMs, onResponse: undefined, maxRequests: undefined });
    return await drive(pool, options);
  } finally {
    await pool.close();
  }
}

async function drive(pool: Pool, options: ClosedLoopOptions): Promise<LoadResult> {
  const result: LoadResult = { latenciesMs: [], statuses: {}, errors: 0, responseBytes: 0, durationMs: 0, requests: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;
  let issued = 0;
  const worker = async () => {
    while (performance.now() < deadline && (options.maxRequests === undefined || issued < options.maxRequests)) {
      const index = issued++;
      const request = options.request(index);
      const sent = performance.now();
      try {
        const response = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
        for await (const chunk of response.body) result.responseBytes += (chunk as Buffer).byteLength;
        const latency = performance.now() - sent;
        result.latenciesMs.push(latency);
        result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
        options.onResponse?.(response.statusCode, response.headers, latency);
      } catch {
        result.errors += 1;
      }
      result.requests += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.durationMs = performance.now() - started;
  return result;
}

export type OpenLoopOptions = {
  /** Requests started per second, whether or not earlier ones have been answered. */
  ratePerSecond: number;
  durationMs: number;
  /** Connections available; requests beyond them wait client-side, and that wait counts as latency. */
  connections: number;
  request: (index: number) => LoadRequest;
  onResponse?: ClosedLoopOptions['onResponse'];
};

/**
 * An open-loop load generator: requests start on a fixed schedule, so a slow server cannot slow the offered
 * load down (no coordinated omission) and latency is measured from each request's scheduled start.
 */
export async function runOpenLoop(origin: string, options: OpenLoopOptions): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
  const result: LoadResult = { latenciesMs: [], statuses: {}, errors: 0, responseBytes: 0, durationMs: 0, requests: 0 };
  const started = performance.now();
  const total = Math.floor((options.ratePerSecond * options.durationMs) / 1000);
  const inFlight: Array<Promise<void>> = [];
  const send = async (index: number, scheduled: number) => {
    const request = options.request(index);
    try {
      const response = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
      for await (const chunk of response.body) result.responseBytes += (chunk as Buffer).byteLength;
      const latency = performance.now() - scheduled;
      result.latenciesMs.push(latency);
      result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
      options.onResponse?.(response.statusCode, response.headers, latency);
    } catch {
      result.errors += 1;
    }
    result.requests += 1;
  };
  try {
    for (let index = 0; index < total; index += 1) {
      const scheduled = started + (index * 1000) / options.ratePerSecond;
      const wait = scheduled - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(send(index, scheduled));
    }
    await Promise.all(inFlight);
    result.durationMs = performance.now() - started;
    return result;
  } finally {
    await pool.close();
  }
}

/** Responses with a 2xx status. */
export const successes = (result: LoadResult): number =>
  Object.entries(result.statuses).reduce((total, [status, count]) => (status.startsWith('2') ? total + count : total), 0);

/** Per variant: requests, failures, statuses, rate and latency percentiles (kept in the JSON for later analysis). */
export function describeResults(results: Partial<Record<string, LoadResult>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(results).map(([key, result]) => [
      key,
      result && {
        requests: result.requests,
        failures: result.requests - successes(result),
        statuses: result.statuses,
        perSecond: (successes(result) * 1000) / result.durationMs,
        p50: percentile(result.latenciesMs, 50),
        p90: percentile(result.latenciesMs, 90),
        p99: percentile(result.latenciesMs, 99),
      },
    ]),
  );
}
