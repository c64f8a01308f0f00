import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/**
 * Starts test/helpers/crash-server.ts (the SQLite store plus a call-logging fake engine routed as `gpt-image-2`)
 * as a real process, resolving once it listens; `environment` adds or overrides settings.
 */
export async function startCrashServer(dataDirectory: string, port: number, environment: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/crash-server.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DARKROOM_DATA_DIR: dataDirectory,
      DARKROOM_ROUTES: 'gpt-image-2=fake',
      DARKROOM_ENGINE_CONCURRENCY: 'fake=4',
      DARKROOM_LEASE_SECONDS: '2',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
  return child;
}

/** SIGKILL: no shutdown code runs, as in a crash. */
export const killNow = (child: ChildProcess): Promise<void> =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
