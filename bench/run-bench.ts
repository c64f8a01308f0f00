// darkroom's benchmark harness: `npm run bench` (quick mode, under 5 minutes) or `npm run bench -- --full`.
// Options: --only=control,payload,admission,longlived,image,overload   --rounds=N
//          --profile: every darkroom runs under --cpu-prof (bench/results/profiles/<timestamp>/; read them with
//          `node --import tsx bench/summarize-cpu-profile.ts <file>` or Chrome DevTools). Figures are slower then.
// Prints one table (figure, value, target, result) and writes bench/results/<timestamp>.json and latest.json.
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clientCpus, probeOpenAiPath, serverCpus, startDarkroomServer, type BenchContext, type Scenario } from './bench-context.ts';
import { fullMode, quickMode } from './bench-modes.ts';
import { freePort, pinToCpus, startBenchProcess, type BenchProcess } from './bench-processes.ts';
import { formatTable, writeReport, type Figure } from './bench-report.ts';
import { admissionScenario } from './scenarios/admission.ts';
import { controlPlaneScenario } from './scenarios/control-plane.ts';
import { imagePathScenario } from './scenarios/image-path.ts';
import { longLivedLoadScenario } from './scenarios/long-lived-load.ts';
import { overloadScenario } from './scenarios/overload.ts';
import { payloadPathScenario } from './scenarios/payload-path.ts';

const scenarios: Scenario[] = [controlPlaneScenario, payloadPathScenario, admissionScenario, longLivedLoadScenario, imagePathScenario, overloadScenario];

const { values } = parseArgs({ options: { full: { type: 'boolean', default: false }, only: { type: 'string' }, rounds: { type: 'string' }, profile: { type: 'boolean', default: false } } });
const mode = { ...(values.full ? fullMode : quickMode) };
if (values.rounds) mode.rounds = Math.max(1, Number(values.rounds));
const selected = values.only ? scenarios.filter((scenario) => values.only?.split(',').includes(scenario.id)) : scenarios;
const startedAt = new Date();
// Other work on the machine skews every figure; the load average is recorded with the results.
const loadAverageAtStart = loadavg();
const profileDirectory = values.profile ? fileURLToPath(new URL(`results/profiles/${startedAt.toISOString().replace(/[:.]/g, '-')}`, import.meta.url)) : undefined;
const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

// The load generator (this process) and the fake upstream share one core; servers under test get the other.
const pinned = pinToCpus(process.pid, clientCpus);
log(`${mode.name} mode, ${mode.rounds} interleaved rounds; CPU pinning ${pinned ? `on (servers → core ${serverCpus}, load generator + fake upstream → core ${clientCpus})` : 'unavailable'}`);

async function startPortkey(): Promise<BenchProcess | { unavailable: string }> {
  try {
    const port = await freePort();
    return await startBenchProcess({
      name: 'portkey',
      args: ['node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'],
      port,
      ready: async (url) => (await fetch(`${url}/`)).ok,
      cpus: serverCpus,
    });
  } catch (error) {
    return { unavailable: (error as Error).message.split('\n')[0] ?? 'failed to start' };
  }
}

const upstream = await startBenchProcess({ name: 'fake OpenAI upstream', args: ['--import', 'tsx', 'bench/fake-openai-upstream.ts'], cpus: clientCpus });
const hello = await startBenchProcess({ name: 'node:http hello-world', args: ['--import', 'tsx', 'bench/hello-world-server.ts'], cpus: serverCpus });
const portkey = await startPortkey();
let openAiProbe: Promise<string | undefined> | undefined;
const context: BenchContext = {
  mode,
  upstream,
  hello,
  portkey,
  startDarkroom: (environment) => startDarkroomServer(upstream.url, environment, profileDirectory),
  openAiUnavailable: () =>
    (openAiProbe ??= (async () => {
      const darkroom = await startDarkroomServer(upstream.url, {});
      try {
        return await probeOpenAiPath(darkroom, upstream);
      } finally {
        await darkroom.stop();
      }
    })()),
  log,
};

const figures: Figure[] = [];
const details: Record<string, unknown> = {};
try {
  for (const scenario of selected) {
    const scenarioStarted = Date.now();
    log(`${scenario.title}…`);
    try {
      const outcome = await scenario.run(context);
      figures.push(...outcome.figures);
      details[scenario.id] = { ...outcome.details, seconds: (Date.now() - scenarioStarted) / 1000 };
    } catch (error) {
      // One broken scenario must not cost the others their figures.
      log(`${scenario.title} failed: ${(error as Error).stack ?? String(error)}`);
      figures.push({ id: `${scenario.id}.error`, scenario: scenario.id, name: `${scenario.title} did not complete`, value: undefined, unit: '', target: undefined, status: 'fail', runs: [], note: (error as Error).message.split('\n')[0] ?? '' });
      details[scenario.id] = { error: String((error as Error).stack ?? error) };
    }
  }
} finally {
  await Promise.all([upstream.stop(), hello.stop(), 'stop' in portkey ? portkey.stop() : Promise.resolve()]);
}

const finishedAt = new Date();
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  mode: mode.name,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
    pinned,
    profiled: profileDirectory ?? false,
    portkey: 'unavailable' in portkey ? portkey.unavailable : 'started',
    rounds: mode.rounds,
  },
  figures,
  details,
};
const path = writeReport(fileURLToPath(new URL('results', import.meta.url)), report);
process.stdout.write(`\n${formatTable(figures)}\n\n`);
const counts = (['pass', 'fail', 'unavailable', 'info'] as const).map((status) => `${figures.filter((figure) => figure.status === status).length} ${status}`);
log(`done in ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s: ${counts.join(', ')}; results in ${path} and bench/results/latest.json`);
