// darkroom as `darkroom serve` runs it (settings from the environment → loadConfig → createGateway →
// listen), plus two things only the benchmarks need:
//  - the `bench-sleep` engine (BENCH_SLEEP_MS + up to BENCH_SLEEP_JITTER_MS; model id `bench-sleep` via
//    DARKROOM_ROUTES=bench-sleep=bench-sleep), so jobs can stay queued or in flight without an upstream;
//  - an IPC channel answering metrics requests (RSS, event-loop delay, job completion times), so darkroom
//    itself needs no debug route.
// Prints `listening <port>` when ready. Started by bench/run-bench.ts with an IPC channel.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config.ts';
import { terminalEventTypes } from '../src/domain/job-event.ts';
import { createGateway } from '../src/gateway.ts';
import { tinyPng } from './bench-images.ts';
import { wallClockMs, type ServerMetricsRequest, type ServerMetricsResponse } from './server-metrics.ts';
import { SleepingImageEngine } from './sleeping-image-engine.ts';

const image = { data: new Uint8Array(await tinyPng()), mediaType: 'image/png', width: 16, height: 16 };
const engine = new SleepingImageEngine(Number(process.env.BENCH_SLEEP_MS ?? '600000'), image, Number(process.env.BENCH_SLEEP_JITTER_MS ?? '0'));
const gateway = await createGateway(loadConfig(process.env), { extraEngines: [engine], log: (message) => process.stderr.write(`${message}\n`) });
// BENCH_KEYS=N: N tenant keys plus one admin key, written to <data dir>/bench-keys.json (keys turn open mode off).
const tenantCount = Number(process.env.BENCH_KEYS ?? '0');
if (tenantCount > 0) {
  const created = new Date();
  const tenants: string[] = [];
  for (let index = 0; index < tenantCount; index += 1) tenants.push((await gateway.keys.create(`bench-tenant-${index}`, created)).key);
  const admin = (await gateway.keys.create('bench-admin', created, { admin: true })).key;
  writeFileSync(join(process.env.DARKROOM_DATA_DIR ?? '.', 'bench-keys.json'), JSON.stringify({ admin, tenants }));
}
const address = await gateway.listen();

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let completions: Record<string, number> = {};
gateway.events.subscribe({}, (event) => {
  if (terminalEventTypes.includes(event.type)) completions[event.jobId] = wallClockMs();
});

const milliseconds = (nanoseconds: number) => (Number.isFinite(nanoseconds) ? nanoseconds / 1e6 : 0);
process.on('message', (message: ServerMetricsRequest) => {
  if (message?.type !== 'metrics') return;
  const memory = process.memoryUsage();
  const response: ServerMetricsResponse = {
    type: 'metrics',
    id: message.id,
    metrics: {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopDelay: { p50: milliseconds(delay.percentile(50)), p99: milliseconds(delay.percentile(99)), max: milliseconds(delay.max), mean: milliseconds(delay.mean) },
      completions,
      at: wallClockMs(),
    },
  };
  if (message.reset) {
    delay.reset();
    completions = {};
  }
  process.send?.(response);
});
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
process.once('disconnect', () => void gateway.close().then(() => process.exit(0)));
process.stdout.write(`listening ${address.port}\n`);
