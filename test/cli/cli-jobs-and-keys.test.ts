import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { runCli } from './cli-process.ts';

describe('darkroom jobs on a server that requires a key', () => {
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    gateway = await startTestGateway({
      environment: { DARKROOM_STORE: 'memory', DARKROOM_ROUTES: 'slow-model=slow' },
      extraEngines: [new FakeImageEngine('slow', { delayMs: 30_000 })],
    });
    key = (await gateway.keys.create('cli', new Date())).key;
    for (let attempt = 0; attempt < 100 && (await fetch(`${gateway.baseUrl}/api/ai/models`)).status !== 401; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => gateway.stop());

  it('cancels a running generation; waiting on it then fails; without the key the server\'s 401 is explained', async () => {
    const submitted = await postJson(`${gateway.baseUrl}/api/ai/queue`, { model: 'slow-model', prompt: 'takes long' }, { authorization: `Bearer ${key}` });
    const id = (submitted.json.generations as Array<{ generation_id: string }>)[0]?.generation_id ?? '';
    const env = { DARKROOM_URL: gateway.baseUrl, DARKROOM_API_KEY: key };

    const [cancel, withoutKey] = await Promise.all([
      runCli(['jobs', 'cancel', id], { env }),
      runCli(['jobs', 'list'], { env: { DARKROOM_URL: gateway.baseUrl } }),
    ]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe(`${id} cancelled\n`);
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toContain('darkroom jobs list: An API key is required: send "Authorization: Bearer <key>" (HTTP 401)');
    expect(withoutKey.stderr).toContain('Set DARKROOM_API_KEY');

    const wait = await runCli(['jobs', 'wait', id, '--json'], { env });
    expect(wait.code).toBe(1);
    const summary = JSON.parse(wait.stdout) as { generations: Array<{ status: string }> };
    expect(summary.generations[0]?.status).toBe('cancelled');
    expect(wait.stderr).toContain(`darkroom jobs wait: generation ${id} cancelled`);
  });
});
