// A real darkroom process for crash tests: the SQLite store plus an engine that logs every call to a file,
// so a test can kill -9 it mid-flight and count upstream calls across restarts.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import type { EngineCallContext, EngineRequest, EngineResult } from '../../src/engines/image-engine.ts';
import { createGateway } from '../../src/gateway.ts';
import { FakeImageEngine } from './fake-image-engine.ts';

class LoggingEngine extends FakeImageEngine {
  constructor(private readonly logPath: string, delayMs: number) {
    super('fake', { delayMs });
  }
  override async run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    appendFileSync(this.logPath, `start ${request.jobId}\n`);
    const result = await super.run(request, context);
    appendFileSync(this.logPath, `finish ${request.jobId}\n`);
    return result;
  }
}

const config = loadConfig(process.env);
const engine = new LoggingEngine(join(config.dataDirectory, 'engine-calls.log'), Number(process.env.FAKE_ENGINE_DELAY_MS ?? '300'));
const gateway = await createGateway(config, { extraEngines: [engine] });
const address = await gateway.listen();
process.stdout.write(`listening ${address.port}\n`);
