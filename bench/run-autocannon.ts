import autocannon from 'autocannon';

export type ThroughputResult = {
  requestsPerSecond: number;
  /** autocannon's latency percentiles (whole milliseconds). */
  p50Ms: number;
  p99Ms: number;
  total: number;
  successes: number;
  /** Non-2xx answers plus connection errors and timeouts. */
  failures: number;
};

export type ThroughputOptions = {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A path per request (e.g. rotating job ids); otherwise the URL's own path. */
  pathFor?: (index: number) => string;
};

/** Throughput with autocannon (non-pipelined, like fastify/benchmarks without `-p`). */
export async function runAutocannon(options: ThroughputOptions): Promise<ThroughputResult> {
  let index = 0;
  const pathFor = options.pathFor;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(pathFor ? { requests: [{ setupRequest: (request) => ({ ...request, path: pathFor(index++) }) }] } : {}),
  });
  const successes = result['2xx'];
  return {
    requestsPerSecond: successes / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    successes,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
