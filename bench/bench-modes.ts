/** Sizes and durations per mode. Quick mode keeps `npm run bench` under 5 minutes on 2 cores; full mode uses the numbers. */
export type BenchMode = {
  name: 'quick' | 'full';
  /** Interleaved runs per figure (the figure is the median across them). */
  rounds: number;
  controlPlane: { warmupMs: number; durationMs: number };
  payload: { warmupMs: number; durationMs: number };
  admission: { warmupSeconds: number; durationSeconds: number; connections: number };
  /**
   * Jobs are held upstream until all are in flight, `holdMs` more, then finish spread over `releaseSpreadMs`.
   * `tenants` 0: open mode, every subscriber sees every job (a firehose). N: N API keys, jobs and subscribers
   * spread over them round-robin, each subscriber seeing its own key's jobs, as `/api/events` serves accounts.
   */
  longLived: { jobs: number; subscribers: number; holdMs: number; releaseSpreadMs: number; tenants: number };
  imagePath: { ingestSamples: number; parallelImages: number; editSamples: number; apiSamples: number };
  /** Queue filled to capacity, then submits at a fixed rate (open loop) that are all over capacity. */
  overload: { queueCapacity: number; ratePerSecond: number; durationMs: number };
};

export const quickMode: BenchMode = {
  name: 'quick',
  rounds: 3,
  controlPlane: { warmupMs: 300, durationMs: 1500 },
  payload: { warmupMs: 300, durationMs: 1500 },
  admission: { warmupSeconds: 1, durationSeconds: 2, connections: 100 },
  longLived: { jobs: 200, subscribers: 500, holdMs: 2000, releaseSpreadMs: 5000, tenants: 0 },
  imagePath: { ingestSamples: 6, parallelImages: 8, editSamples: 6, apiSamples: 6 },
  overload: { queueCapacity: 200, ratePerSecond: 500, durationMs: 3000 },
};

export const fullMode: BenchMode = {
  name: 'full',
  rounds: 3,
  controlPlane: { warmupMs: 2000, durationMs: 10_000 },
  payload: { warmupMs: 2000, durationMs: 10_000 },
  admission: { warmupSeconds: 5, durationSeconds: 60, connections: 100 },
  // The upstream "sleeps minutes": all 2,000 jobs in flight, held 2 more minutes, then finishing over 2 minutes.
  // 1,000 accounts with 2 jobs and 10 listeners each: a firehose of 2,000 completions × 10,000 streams
  // (20 M deliveries, parsed by a client on the same two cores) would measure the client, not darkroom.
  longLived: { jobs: 2000, subscribers: 10_000, holdMs: 120_000, releaseSpreadMs: 120_000, tenants: 1000 },
  imagePath: { ingestSamples: 24, parallelImages: 32, editSamples: 24, apiSamples: 24 },
  overload: { queueCapacity: 1000, ratePerSecond: 1000, durationMs: 20_000 },
};
