import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternPng } from '../helpers/image-fixtures.ts';
import { runCli } from './cli-process.ts';

describe('the darkroom CLI with no server: an in-process gateway', () => {
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'darkroom-cli-in-process-'));
    writeFileSync(join(directory, 'photo.png'), await patternPng(120, 90));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('generates, edits and lists models without any server running', async () => {
    const [generate, edit, models] = await Promise.all([
      runCli(['generate', 'offline poster', '--size', '1024x768', '--format', 'jpeg'], { cwd: directory }),
      runCli(['edit', 'photo.png', 'rotate it 90 degrees', '--json'], { cwd: directory }),
      runCli(['models', 'list', '--json']),
    ]);

    expect(generate.code, generate.stderr).toBe(0);
    expect(generate.stderr).toMatch(/^darkroom: no server given \(--server or DARKROOM_URL\): running darkroom in-process at http:\/\/127\.0\.0\.1:\d+$/m);
    const written = generate.stdout.trim();
    expect(written).toMatch(/^darkroom-[0-9a-f]{8}-1\.jpeg$/);
    expect(await sharp(readFileSync(join(directory, written))).metadata()).toMatchObject({ format: 'jpeg', width: 1024, height: 768 });

    expect(edit.code, edit.stderr).toBe(0);
    const summary = JSON.parse(edit.stdout) as { server: string; generations: Array<{ model: string; files: string[] }> };
    expect(summary.server).toBe('in-process');
    expect(summary.generations[0]?.model).toBe('gpt-image-2-edit');
    const rotated = await sharp(readFileSync(join(directory, summary.generations[0]?.files[0] ?? ''))).metadata();
    expect([rotated.width, rotated.height]).toEqual([90, 120]);

    expect((JSON.parse(models.stdout) as Array<{ id: string }>).map((model) => model.id)).toEqual(expect.arrayContaining(['gpt-image-2', 'gpt-image-2-edit', 'darkroom-local']));
  });
});
