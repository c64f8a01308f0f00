import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternPng, rectangleMask, solidPng } from '../helpers/image-fixtures.ts';
import { closedPort, runCli, runCliInTerminal, startServeProcess } from './cli-process.ts';

const escapeCode = '\x1b';

async function pixelAt(path: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(readFileSync(path)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * 3;
  return [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0];
}
const isGrey = (pixel: number[]) => Math.max(...pixel) - Math.min(...pixel) <= 2;

describe('the darkroom CLI against a spawned `darkroom serve`', () => {
  let server: Awaited<ReturnType<typeof startServeProcess>>;
  let directory: string;
  let env: Record<string, string>;
  const generated: string[] = [];

  beforeAll(async () => {
    server = await startServeProcess();
    directory = mkdtempSync(join(tmpdir(), 'darkroom-cli-test-'));
    writeFileSync(join(directory, 'pattern.png'), await patternPng(160, 120));
    writeFileSync(join(directory, 'solid.png'), await solidPng(80, 60));
    writeFileSync(join(directory, 'mask.png'), await rectangleMask(160, 120, { left: 0, top: 0, width: 80, height: 120 }));
    writeFileSync(join(directory, 'notes.txt'), 'not an image');
    env = { DARKROOM_URL: server.url };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('generate writes the image, prints its path and, without a terminal, plain status lines', async () => {
    const out = join(directory, 'lighthouse.png');
    const result = await runCli(['generate', 'A lighthouse at dusk', '--size', '1024x768', '--out', out], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${out}\n`);
    expect(await sharp(readFileSync(out)).metadata()).toMatchObject({ format: 'png', width: 1024, height: 768 });
    expect(result.stderr).not.toContain(escapeCode);
    expect(result.stderr).toMatch(/^darkroom: [0-9a-f]{8} queued · \d+\.\d s$/m);
    expect(result.stderr).toMatch(/^darkroom: [0-9a-f]{8} succeeded · \d+\.\d s$/m);
    expect(result.stderr).toContain('darkroom: 1 image in');
  });

  it('generate --json prints one JSON document with the files and no progress', async () => {
    const out = join(directory, 'batch');
    const result = await runCli(['generate', 'three frames', '-n', '2', '--format', 'webp', '--size', '1024x768', '--json', '-o', `${out}/`], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout) as { server: string; generations: Array<{ generation_id: string; status: string; files: string[]; urls: string[] }> };
    expect(summary.server).toBe(server.url);
    const [generation] = summary.generations;
    expect(generation?.status).toBe('succeeded');
    expect(generation?.files).toEqual([1, 2].map((index) => join(out, `darkroom-${generation?.generation_id.slice(0, 8)}-${index}.webp`)));
    for (const file of generation?.files ?? []) expect((await sharp(readFileSync(file)).metadata()).format).toBe('webp');
    generated.push(generation?.generation_id ?? '');
  });

  it('edit sends several files and a mask: the first image is edited only where the mask is white', async () => {
    const out = join(directory, 'edited.png');
    const result = await runCli(['edit', join(directory, 'pattern.png'), join(directory, 'solid.png'), '--mask', join(directory, 'mask.png'), 'make it black and white', '-o', out], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(out);
    expect(await sharp(readFileSync(out)).metadata()).toMatchObject({ width: 160, height: 120 });
    expect(isGrey(await pixelAt(out, 20, 60))).toBe(true);
    expect(isGrey(await pixelAt(out, 140, 60))).toBe(false);
    // The local engine edits the first image and says so about the second.
    expect(result.stderr).not.toContain(escapeCode);
  });

  it('draws a spinner line with escape codes in a terminal', async () => {
    const result = await runCliInTerminal(['generate', 'terminal progress', '--size', '1024x768', '-o', join(directory, 'tty.png')], { env });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('\r\x1b[2K');
    expect(result.output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [0-9a-f]{8} (queued|processing|succeeded) · \d+\.\d s/);
    expect(result.output).toContain(join(directory, 'tty.png'));
    expect(existsSync(join(directory, 'tty.png'))).toBe(true);
  });

  it('jobs list, show and wait read the server\'s history', async () => {
    const [id] = generated;
    const [list, listJson, show, wait] = await Promise.all([
      runCli(['jobs', 'list', '--limit', '10'], { env }),
      runCli(['jobs', 'list', '--status', 'succeeded', '--json'], { env }),
      runCli(['jobs', 'show', id ?? ''], { env }),
      runCli(['jobs', 'wait', id ?? '', '--out', join(directory, 'waited/')], { env }),
    ]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}  succeeded +gpt-image-2 +\\S+ +three frames$`, "m"));
    expect((JSON.parse(listJson.stdout) as Array<{ generation_id: string }>).map((entry) => entry.generation_id)).toContain(id);
    expect(show.stdout).toContain(`id:        ${id}`);
    expect(show.stdout).toContain('output_format: webp');
    expect(show.stdout.match(/^result: {4}http/gm)).toHaveLength(2);
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stdout.trim().split('\n')).toHaveLength(2);
    for (const path of wait.stdout.trim().split('\n')) expect(existsSync(path)).toBe(true);
  });

  it('models list and show describe the catalog from the request schema', async () => {
    const [list, show] = await Promise.all([runCli(['models', 'list'], { env }), runCli(['models', 'show', 'gpt-image-2-edit'], { env })]);
    expect(list.stdout).toMatch(/^gpt-image-2-edit +local +edit +GPT Image 2 Edit$/m);
    expect(show.stdout).toContain('input_image         required, up to 16 images');
    expect(show.stdout).toMatch(/quality +auto \| low \| medium \| high \(default "high"\)/);
  });

  it('fails with the server\'s message and exit code 1 on 4xx answers', async () => {
    const [badSize, missing] = await Promise.all([
      runCli(['generate', 'x', '--size', '999x999'], { env }),
      runCli(['jobs', 'show', 'no-such-generation'], { env }),
    ]);
    expect(badSize.code).toBe(1);
    expect(badSize.stderr).toMatch(/^darkroom generate: resolution: .+ \(HTTP 400\)$/m);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^darkroom jobs show: .+ \(HTTP 404\)$/m);
  });

  it('rejects bad usage locally with exit code 2 and help', async () => {
    const [unknown, notImage, badCount] = await Promise.all([
      runCli(['paint'], { env }),
      runCli(['edit', join(directory, 'notes.txt'), 'blur it'], { env }),
      runCli(['generate', 'x', '-n', '9'], { env }),
    ]);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('darkroom: unknown command "paint"');
    expect(notImage.code).toBe(2);
    expect(notImage.stderr).toContain('notes.txt is not a png, jpeg or webp image');
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('-n: must be a whole number from 1 to 4 (got "9")');
  });

  it('says clearly when the server cannot be reached', async () => {
    const result = await runCli(['generate', 'x', '--server', `http://127.0.0.1:${await closedPort()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^darkroom generate: Cannot reach darkroom at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/m);
    expect(result.stderr).toContain('npx darkroom serve');
  });

  it('has --help for every command', async () => {
    const results = await Promise.all(['generate', 'edit', 'jobs', 'models'].map((command) => runCli([command, '--help'])));
    results.forEach((result, index) => {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: darkroom ${['generate', 'edit', 'jobs', 'models'][index]}`);
    });
  });
});
