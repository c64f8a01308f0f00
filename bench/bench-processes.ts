import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Children run from the repository root, so `--import tsx` and relative paths resolve there. */
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

export type BenchProcess = {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** The core it is pinned to, or undefined when pinning was unavailable. */
  cpus: string | undefined;
  /** Resident set size from /proc, undefined where /proc is unavailable. */
  rssBytes(): number | undefined;
  stop(): Promise<void>;
};

export type StartOptions = {
  name: string;
  /** Arguments after `node`. */
  args: string[];
  env?: Record<string, string>;
  /** Cores for `taskset -c` (e.g. "0"); undefined = leave as inherited. */
  cpus?: string;
  /** Give the child an IPC channel (the darkroom bench server answers metrics over it). */
  ipc?: boolean;
  /** A port chosen up front (for servers that cannot report theirs); otherwise read from `listening <port>`. */
  port?: number;
  /** Resolves true once the server answers; polled when `port` is given. */
  ready?: (url: string) => Promise<boolean>;
  timeoutMs?: number;
};

let tasksetWorks: boolean | undefined;

/** Pins a process and all its threads to the given cores; false where taskset is missing or not permitted. */
export function pinToCpus(pid: number, cpus: string): boolean {
  if (tasksetWorks === false) return false;
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    tasksetWorks = true;
    return true;
  } catch {
    tasksetWorks = false;
    return false;
  }
}

export function readRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A port free right now on 127.0.0.1 (for servers that only take a fixed `--port`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `node <args>` and waits until it listens; its last output lines are kept for error messages. */
export async function startBenchProcess(options: StartOptions): Promise<BenchProcess> {
  const child = spawn(process.execPath, options.args, {
    cwd: repositoryRoot,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim().length > 0));
    output.splice(0, Math.max(0, output.length - 30));
  };
  child.stderr?.on('data', remember);
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${options.name} exited (${signal ?? code}) before it was ready:\n${output.join('\n')}`)));
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} was not ready within ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
    if (options.port !== undefined) {
      const port = options.port;
      const poll = async () => {
        while (!(await (options.ready ?? (() => Promise.resolve(true)))(`http://127.0.0.1:${port}`).catch(() => false))) await delay(100);
        clearTimeout(timer);
        resolve(port);
      };
      void poll();
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      remember(chunk);
      const match = /listening (\d+)/.exec(chunk.toString('utf8'));
      if (match?.[1] && options.port === undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  let port: number;
  try {
    port = await Promise.race([listening, exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  const pinned = options.cpus !== undefined && child.pid !== undefined && pinToCpus(child.pid, options.cpus);
  return {
    name: options.name,
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    cpus: pinned ? options.cpus : undefined,
    rssBytes: () => readRssBytes(child.pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Runs `node <args>` to completion and returns what it printed after `result ` (a script's JSON output). */
export async function runBenchScript(options: { name: string; args: string[]; cpus?: string; timeoutMs?: number }): Promise<unknown> {
  const child = spawn(process.execPath, options.args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.cpus !== undefined && child.pid !== undefined) pinToCpus(child.pid, options.cpus);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((entry) => entry.startsWith('result '));
  if (code !== 0 || !line) throw new Error(`${options.name} failed (exit ${code}):\n${stderr}`);
  return JSON.parse(line.slice('result '.length)) as unknown;
}
