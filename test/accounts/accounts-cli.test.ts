import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CostStore } from '../../src/accounts/cost-store.ts';
import { PriceBook } from '../../src/accounts/price-book.ts';
import { SqliteApiKeyStore } from '../../src/auth/sqlite-api-key-store.ts';
import { keysCommand } from '../../src/cli/keys-command.ts';
import { usageCommand } from '../../src/cli/usage-command.ts';
import { openDatabase } from '../../src/sqlite/open-database.ts';

describe('darkroom keys and usage', () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-accounts-cli-'));
  afterAll(() => rmSync(dataDirectory, { recursive: true, force: true }));

  const run = async (command: typeof keysCommand, args: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await command({ args, environment: { DARKROOM_DATA_DIR: dataDirectory }, stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) });
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  };

  it('creates keys with admin flag and limits, printing only the key', async () => {
    const created = await run(keysCommand, ['create', '--name', 'ops', '--admin', '--rpm', '60', '--concurrency', '2', '--budget-usd', '12.5']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^dk_[A-Za-z0-9_-]{43}$/);
    const listed = await run(keysCommand, ['list']);
    expect(listed.stdout).toContain(`${created.stdout.slice(0, 11)}…  ops  admin rpm=60 concurrency=2 budget=$12.50/month`);
    expect(listed.stdout).not.toContain(created.stdout);
    const json = JSON.parse((await run(keysCommand, ['list', '--json'])).stdout) as Array<{ admin: boolean; limits: Record<string, number> }>;
    expect(json[0]).toMatchObject({ admin: true, limits: { rpm: 60, concurrency: 2, monthlyBudgetUsd: 12.5 } });
  });

  it('sets budgets and limits, and clears them with none', async () => {
    expect((await run(keysCommand, ['set-budget', 'ops', '--usd', '3'])).stdout).toContain('budget=$3.00/month');
    expect((await run(keysCommand, ['set-limits', 'ops', '--rpm', 'none', '--concurrency', '5'])).stdout).toContain('rpm=unlimited concurrency=5 budget=$3.00/month');
    expect((await run(keysCommand, ['set-budget', 'ops', '--usd', 'none'])).stdout).toContain('budget=unlimited');
  });

  it('refuses bad values, missing flags, unknown and ambiguous keys', async () => {
    expect(await run(keysCommand, ['create', '--name', 'x', '--rpm', '0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--rpm must be a whole number of at least 1') });
    expect(await run(keysCommand, ['create', '--name', 'x', '--budget-usd=-2'])).toMatchObject({ code: 2 });
    expect(await run(keysCommand, ['set-limits', 'ops'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--rpm and/or --concurrency') });
    expect(await run(keysCommand, ['set-budget', 'ops'])).toMatchObject({ code: 2 });
    expect(await run(keysCommand, ['set-budget', 'nobody', '--usd', '1'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no active key matches') });
    await run(keysCommand, ['create', '--name', 'twin']);
    await run(keysCommand, ['create', '--name', 'twin']);
    expect(await run(keysCommand, ['set-budget', 'twin', '--usd', '1'])).toMatchObject({ code: 2, stderr: expect.stringContaining('matches 2 active keys') });
  });

  it('reports usage by day, model and key, as a table or JSON', async () => {
    const database = openDatabase(join(dataDirectory, 'darkroom.db'));
    const ops = (await new SqliteApiKeyStore(database).list()).find((record) => record.name === 'ops');
    const costs = new CostStore(database);
    const prices = new PriceBook();
    const now = new Date();
    for (const [index, size] of [[1, 1024], [2, 1536]] as const) {
      costs.record({
        jobId: `job-${index}`,
        keyId: ops?.id,
        model: 'gpt-image-2',
        engineId: 'fal',
        state: 'succeeded',
        images: 1,
        cost: prices.estimate('fal', { size: { width: 1024, height: size }, aspectRatio: undefined, quality: 'high', imageCount: 1 }),
        usage: undefined,
        eventSequence: index,
        createdAt: now,
        completedAt: now,
      });
    }
    database.close();
    const table = await run(usageCommand, []);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/gpt-image-2\s+ops \(dk_[^)]+\)\s+2\s+2\s+0\.3900/);
    expect(table.stdout).toContain('total $0.39 (2 jobs, 2 images)');
    const json = JSON.parse((await run(usageCommand, ['--json', '--group-by', 'model'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ total_usd: 0.39, rows: [{ model: 'gpt-image-2', jobs: 2, usd: 0.39 }] });
    expect((await run(usageCommand, ['--from', '2020-01-01', '--to', '2020-01-31', '--json'])).stdout).toContain('"total_usd": 0');
    expect(await run(usageCommand, ['--group-by', 'colour'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown dimension colour') });
  });
});
