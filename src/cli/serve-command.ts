import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { createGateway } from '../gateway.ts';
import type { CommandContext } from './main.ts';

const help = `Usage: darkroom serve [--port N]

Runs the API server. Settings come from the environment (PORT, DARKROOM_DATA_DIR, DARKROOM_PUBLIC_URL, …)
or a JSON file named by DARKROOM_CONFIG; see the README's settings table.`;

export async function serveCommand(context: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: context.args, options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    context.stdout(help);
    return 0;
  }
  const config = loadConfig({ ...context.environment, ...(values.port ? { PORT: values.port } : {}) });
  const log = (message: string) => context.stderr(`${new Date().toISOString()} ${message}`);
  const gateway = await createGateway(config, { log });
  const address = await gateway.listen();
  log(`darkroom listening on ${address.url} (bound to ${address.host}:${address.port})`);
  log(`data directory: ${config.dataDirectory}; public URL: ${gateway.urls.absolute('')}`);
  if (address.openMode) {
    log('no API keys exist: running in open mode, bound to 127.0.0.1 only. Create a key with `npx darkroom keys create --name NAME` and restart to serve other hosts.');
  }
  for (const route of gateway.router.list()) {
    const served = route.engine.engineId === 'local' && route.model.family === 'gpt-image-2' ? ' (offline local engine, not the real model — set OPENAI_API_KEY to use it)' : '';
    log(`model ${route.model.id} → engine ${route.engine.engineId}${served}`);
  }
  const shutdown = (signal: string) => {
    log(`${signal} received, shutting down`);
    void gateway.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return 0;
}
