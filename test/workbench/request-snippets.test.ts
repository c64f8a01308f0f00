import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenRequest } from '../../src/workbench/app/build-request.ts';
import {
  abbreviateDataUris,
  curlSnippet,
  pythonLiteral,
  requestSnippets,
  shellQuote,
  typescriptSnippet,
} from '../../src/workbench/app/request-snippets.ts';
import { dataUri, patternPng } from '../helpers/image-fixtures.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { workbenchForm } from './workbench-form.ts';

const run = promisify(execFile);
const environment = { ...process.env, DARKROOM_API_KEY: '' };

describe('request snippets (pure)', () => {
  const options = { baseUrl: 'http://localhost:8080', dialect: 'oxen' as const };

  it('writes the key as an environment variable, never inline', () => {
    const snippets = requestSnippets(workbenchForm(), options);
    expect(snippets.curl).toContain('-H "Authorization: Bearer $DARKROOM_API_KEY"');
    expect(snippets.python).toContain("os.environ.get('DARKROOM_API_KEY', '')");
    expect(snippets.typescript).toContain('process.env.DARKROOM_API_KEY');
    expect(requestSnippets(workbenchForm(), { ...options, keyVariable: 'OXEN_API_KEY' }).curl).toContain('$OXEN_API_KEY');
  });

  it('quotes the cURL body for POSIX shells, including single quotes in prompts', () => {
    const snippet = curlSnippet(oxenRequest(workbenchForm({ prompt: "the ox's road" })), options);
    expect(snippet).toContain(`"prompt": "the ox'\\''s road"`);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it('sends bodies over 64 KiB through a here-document (one argument may not exceed 128 KiB)', () => {
    const big = `data:image/png;base64,${'A'.repeat(200_000)}`;
    const snippet = curlSnippet(oxenRequest(workbenchForm({ inputImages: [big] })), options);
    expect(snippet).toContain("--data-binary @- <<'JSON'");
    expect(snippet.trimEnd().endsWith('JSON')).toBe(true);
  });

  it('renders JSON as Python literals', () => {
    expect(pythonLiteral({ a: true, b: null, c: [1, 'x'], d: false }, 0)).toBe('{\n    "a": True,\n    "b": None,\n    "c": [\n        1,\n        "x"\n    ],\n    "d": False\n}');
  });

  it('shortens long data URIs for display only', () => {
    const uri = `data:image/png;base64,${'Q'.repeat(4000)}`;
    expect(abbreviateDataUris(`"${uri}"`)).toBe('"data:image/png;base64,QQQQQQQQQQQQQQQQ…[3 KB]"');
    expect(abbreviateDataUris('data:image/png;base64,short')).toBe('data:image/png;base64,short');
  });

  it('produces TypeScript that compiles without syntax errors in every flow', () => {
    for (const form of [workbenchForm(), workbenchForm({ mode: 'queued' }), workbenchForm({ inputImages: ['https://example.com/a.png'] })]) {
      for (const dialect of ['oxen', 'openai'] as const) {
        const source = requestSnippets(form, { ...options, dialect }).typescript;
        const output = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
        expect(output.diagnostics ?? [], source).toEqual([]);
      }
    }
  });

  it('uses the OpenAI paths and decodes base64 in the OpenAI dialect', () => {
    const snippets = requestSnippets(workbenchForm({ parameters: { output_format: 'webp' } }), { ...options, dialect: 'openai' });
    expect(snippets.curl).toContain('http://localhost:8080/v1/images/generations');
    expect(snippets.python).toContain('base64.b64decode(image["b64_json"])');
    expect(snippets.python).toContain('image-{index}.webp');
    expect(typescriptSnippet(oxenRequest(workbenchForm()), options)).toContain("fetch('http://localhost:8080/api/ai/images/generate'");
  });
});

describe('request snippets run against a real darkroom', () => {
  let gateway: TestGateway;
  let directory: string;
  let photo: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_STORE: 'memory' } });
    directory = mkdtempSync(join(tmpdir(), 'darkroom-snippets-'));
    photo = dataUri(await patternPng(160, 120));
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  const snippetsFor = (form: ReturnType<typeof workbenchForm>, dialect: 'oxen' | 'openai' = 'oxen') => requestSnippets(form, { baseUrl: gateway.baseUrl, dialect });

  it('cURL: a sync edit answers with a downloadable image of the input\'s size', async () => {
    const { curl } = snippetsFor(workbenchForm({ model: 'gpt-image-2-edit', editOnly: true, prompt: 'make it black and white', inputImages: [photo] }));
    const { stdout } = await run('bash', ['-c', curl], { env: environment });
    const answer = JSON.parse(stdout) as { images: Array<{ url: string }> };
    const image = await fetch(answer.images[0]?.url ?? '');
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([metadata.width, metadata.height]).toEqual([160, 120]);
  });

  it('cURL: a body too large for one argument goes through the here-document', async () => {
    // Noise does not compress: a 300x200 PNG of it is ~180 KB, ~240 KB as base64.
    const noise = await sharp(randomBytes(300 * 200 * 3), { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
    const large = dataUri(new Uint8Array(noise));
    expect(large.length).toBeGreaterThan(200_000);
    const { curl } = snippetsFor(workbenchForm({ model: 'gpt-image-2-edit', editOnly: true, prompt: 'blur it', inputImages: [large] }));
    expect(curl).toContain('<<');
    // As a script file, like a paste into a terminal: the script itself is not one argument either.
    const script = join(directory, 'large.sh');
    writeFileSync(script, curl);
    const { stdout } = await run('bash', [script], { env: environment, maxBuffer: 10_000_000 });
    expect((JSON.parse(stdout) as { images: unknown[] }).images).toHaveLength(1);
  });

  it('Python: the queued flow enqueues, polls and prints the result URL', async () => {
    const { python } = snippetsFor(workbenchForm({ mode: 'queued', prompt: 'A quiet harbour', parameters: { resolution: '1024x768' } }));
    const { stdout } = await run('python3', ['-c', python], { env: environment });
    expect(stdout).toMatch(/^Result: http:\/\/localhost:\d+\/files\/results\/.+\.png\?expires=/m);
  });

  it('TypeScript: the sync generate program prints the Oxen answer', async () => {
    const file = join(directory, 'generate.mts');
    writeFileSync(file, snippetsFor(workbenchForm({ parameters: { resolution: '1024x768', output_format: 'webp' } })).typescript);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { env: environment, cwd: process.cwd() });
    expect(stdout).toMatch(/url: 'http:\/\/localhost:\d+\/files\/results\/.+\.webp/);
  });

  it('Python: the OpenAI dialect program writes the decoded images', async () => {
    const { python } = snippetsFor(workbenchForm({ parameters: { resolution: '1024x768', num_images: 2 } }), 'openai');
    await run('python3', ['-c', python], { env: environment, cwd: directory });
    const written = readdirSync(directory).filter((name) => name.startsWith('image-')).sort();
    expect(written).toEqual(['image-0.png', 'image-1.png']);
    const metadata = await sharp(readFileSync(join(directory, 'image-0.png'))).metadata();
    expect([metadata.width, metadata.height]).toEqual([1024, 768]);
  });
});
