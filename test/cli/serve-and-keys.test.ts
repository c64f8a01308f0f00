import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const binary = join(import.meta.dirname, '../../bin/darkroom.js');

describe('darkroom serve and keys (real binary)', () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-cli-'));
  const environment = { ...process.env, DARKROOM_DATA_DIR: dataDirectory };
  afterAll(() => rmSync(dataDirectory, { recursive: true, force: true }));

  it('keys create prints only the key; list and revoke manage it', async () => {
    const created = await run(process.execPath, [binary, 'keys', 'create', '--name', 'ci'], { env: environment });
    expect(created.stdout).toMatch(/^dk_[A-Za-z0-9_-]{43}\n$/);
    const listed = await run(process.execPath, [binary, 'keys', 'list'], { env: environment });
    expect(listed.stdout).toContain(`${created.stdout.trim().slice(0, 11)}…  ci`);
    expect(listed.stdout).not.toContain(created.stdout.trim());
    const revoked = await run(process.execPath, [binary, 'keys', 'revoke', 'ci'], { env: environment });
    expect(revoked.stdout).toContain('revoked');
    await expect(run(process.execPath, [binary, 'keys', 'create'], { env: environment })).rejects.toMatchObject({ code: 2 });
  });

  it('refuses invalid settings with a clear message and exit code 2', async () => {
    const failure = await run(process.execPath, [binary, 'serve'], { env: { ...environment, PORT: 'abc' } }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('PORT must be a whole number (got "abc")');
  });

  it('serves /health on 127.0.0.1 in open mode and says so', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [binary, 'serve'], { env: { ...environment, PORT: String(port), DARKROOM_DATA_DIR: join(dataDirectory, 'open') } });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      for (let attempt = 0; attempt < 300 && !log.includes('listening'); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
      expect(log).toContain('open mode, bound to 127.0.0.1 only');
      expect(log).toContain('model gpt-image-2 → engine local (offline local engine');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
