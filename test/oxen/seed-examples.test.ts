import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternPng, startFileServer } from '../helpers/image-fixtures.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';

const run = promisify(execFile);
const examplesDirectory = join(import.meta.dirname, '../fixtures/seed-examples');
const seedAsset = 'https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png';

/**
 * The cURL and Python examples from the Oxen seed pages, stored verbatim, run against darkroom with only the
 * host swapped (for the API and for the example's input image), on the default local engine and with a key.
 */
describe('Oxen seed examples run unchanged against darkroom', () => {
  let gateway: TestGateway;
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let apiKey: string;

  beforeAll(async () => {
    files = await startFileServer({ '/bloxy_cropped_512x512.png': { body: await patternPng(512, 512) } });
    gateway = await startTestGateway({ environment: { DARKROOM_FETCH_ALLOWLIST: '127.0.0.1', DARKROOM_KEEPALIVE_SECONDS: '1' } });
    apiKey = (await gateway.keys.create('seed-examples', new Date())).key;
  });
  afterAll(async () => {
    await gateway.stop();
    await files.close();
  });

  const examples = readdirSync(examplesDirectory).sort();

  it('has every example of both seed pages', () => {
    expect(examples.length).toBe(26);
  });

  it.concurrent.each(examples)('%s', async (name) => {
    const source = readFileSync(join(examplesDirectory, name), 'utf8')
      .replaceAll(seedAsset, `${files.url}/bloxy_cropped_512x512.png`)
      .replaceAll('https://hub.oxen.ai', gateway.baseUrl);
    const [command, args] = name.endsWith('.py') ? ['python3', ['-c', source]] : ["bash", ["-c", source]];
    const { stdout } = await run(command, args, { env: { ...process.env, OXEN_API_KEY: apiKey }, timeout: 60_000 });
    const kind = name.split('-')[1];
    if (name.endsWith('.sh') && kind !== 'async') {
      const output = JSON.parse(stdout) as Record<string, unknown>;
      if (kind === 'sync') expect((output.images as Array<{ url: string }>)[0]?.url).toContain('/files/results/');
      if (kind === 'sse') expect(output).toMatchObject({ status: 'succeeded', media_type: 'image', url: expect.stringContaining('/files/results/') });
      if (kind === 'models') expect(output).toMatchObject({ object: 'model', json_request_schema: expect.any(Object) });
    } else if (name.endsWith('.sh')) {
      expect(stdout).toContain('Status: ');
      const final = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, unknown>;
      expect(final).toMatchObject({ status: 'succeeded', result_url: expect.stringContaining('/files/results/') });
    } else if (kind === 'async') {
      expect(stdout).toMatch(/^Result: http:\/\/localhost:\d+\/files\/results\//);
    } else if (kind === 'sync') {
      expect(stdout).toMatch(/^\{'model': 'gpt-image-2(-edit)?', 'created': \d+, 'images': \[\{'url': 'http:\/\/localhost:/);
    } else {
      expect(stdout).toContain("'status': 'succeeded'");
    }
  }, 60_000);
});
