import type { ChildProcess } from 'node:child_process';

/** What bench/darkroom-bench-server.ts reports over its IPC channel (no HTTP route needed in darkroom). */
export type ServerMetrics = {
  rssBytes: number;
  heapUsedBytes: number;
  /** Main-thread event-loop delay since the last reset (perf_hooks.monitorEventLoopDelay), in ms. */
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
  /** Wall-clock ms (performance.timeOrigin + now) at which each job's terminal event was published, since the last reset. */
  completions: Record<string, number>;
  /** Time this metrics snapshot was taken, same clock. */
  at: number;
};

export type ServerMetricsRequest = { type: 'metrics'; id: number; reset: boolean };
export type ServerMetricsResponse = { type: 'metrics'; id: number; metrics: ServerMetrics };

let nextId = 1;

/** Asks the darkroom bench server for its metrics; `reset` starts a new measurement window afterwards. */
export function requestServerMetrics(child: ChildProcess, options: { reset: boolean; timeoutMs?: number }): Promise<ServerMetrics> {
  const id = nextId++;
  return new Promise<ServerMetrics>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('the darkroom bench server did not answer a metrics request'));
    }, options.timeoutMs ?? 30_000);
    const onMessage = (message: unknown) => {
      const response = message as ServerMetricsResponse;
      if (response?.type !== 'metrics' || response.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(response.metrics);
    };
    child.on('message', onMessage);
    const request: ServerMetricsRequest = { type: 'metrics', id, reset: options.reset };
    child.send(request);
  });
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();
