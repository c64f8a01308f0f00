import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const binary = resolve('bin/darkroom.js');

export type CliResult = { code: number; stdout: string; stderr: string };

/** Environment for CLI runs: no server, key or upstream leaks in from the developer's shell. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (name.startsWith('DARKROOM_') || name.endsWith('_API_KEY') || name === 'FAL_KEY' || name === 'PORT') delete environment[name];
  }
  return { ...environment, ...extra };
}

/** Runs `node bin/darkroom.js …` with pipes (not a terminal). */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [binary, ...args], { env: cleanEnvironment(options.env), cwd: options.cwd, maxBuffer: 20_000_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI inside a pseudo-terminal with util-linux `script`; stdout and stderr arrive merged. */
export function runCliInTerminal(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number; output: string }> {
  const command = [process.execPath, binary, ...args].map(shellQuote).join(' ');
  return new Promise((resolvePromise) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: cleanEnvironment(options.env), cwd: options.cwd, maxBuffer: 20_000_000 }, (error, stdout) => {
      resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout });
    });
  });
}

/** `darkroom serve` as a child process on a free port with its own data directory. */
export async function startServeProcess(extra: Record<string, string> = {}): Promise<{ url: string; dataDirectory: string; stop(): Promise<void> }> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-cli-serve-'));
  const child: ChildProcess = spawn(process.execPath, [binary, 'serve'], {
    env: cleanEnvironment({ PORT: '0', DARKROOM_DATA_DIR: dataDirectory, DARKROOM_HOST: '127.0.0.1', ...extra }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`darkroom serve did not start:\n${log}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`darkroom serve exited with ${code}:\n${log}`)));
  });
  return {
    url,
    dataDirectory,
    async stop() {
      const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const address = server.address();
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  return typeof address === 'object' && address ? address.port : 1;
}
