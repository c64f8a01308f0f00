import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

const problems = (environment: Record<string, string>): string[] => {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('OpenAI engine settings', () => {
  it('registers openai only with a key, with the timeout in seconds', () => {
    expect(loadConfig({}).upstreams.openai).toBeUndefined();
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://proxy:8080/v1/' }).upstreams.openai).toEqual({
      apiKey: 'sk-x',
      baseUrl: 'http://proxy:8080/v1',
      timeoutSeconds: 600,
    });
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x', OPENAI_TIMEOUT_SECONDS: '1200' }).upstreams.openai?.timeoutSeconds).toBe(1200);
    expect(problems({ OPENAI_TIMEOUT_SECONDS: 'ten' })).toEqual(['OPENAI_TIMEOUT_SECONDS must be a whole number (got "ten")']);
  });

  it('reads DARKROOM_COMPATIBLE_ENGINES with defaults for what is left out', () => {
    const config = loadConfig({
      OPENAI_TIMEOUT_SECONDS: '90',
      DARKROOM_COMPATIBLE_ENGINES: JSON.stringify([
        { id: 'localai', baseUrl: 'http://localai:8080/v1/' },
        { id: 'vllm', baseUrl: 'https://gpu.example/v1', apiKey: 'k', models: { flux: 'flux.1' }, capabilities: { partialImages: true, maxInputImages: 4 }, sizeLimits: { maxEdge: 1536 } },
      ]),
    });
    expect(config.upstreams.compatible).toEqual([
      { id: 'localai', baseUrl: 'http://localai:8080/v1', apiKey: undefined, models: {}, capabilities: {}, sizeLimits: {}, timeoutSeconds: 90 },
      { id: 'vllm', baseUrl: 'https://gpu.example/v1', apiKey: 'k', models: { flux: 'flux.1' }, capabilities: { partialImages: true, maxInputImages: 4 }, sizeLimits: { maxEdge: 1536 }, timeoutSeconds: 90 },
    ]);
    expect(loadConfig({}).upstreams.compatible).toEqual([]);
  });

  it('names every problem with its place and never echoes the value', () => {
    const found = problems({
      DARKROOM_COMPATIBLE_ENGINES: JSON.stringify([
        { id: 'openai', baseUrl: 'localhost:8080', apiKey: 'sk-must-not-appear' },
        { id: 'a', baseUrl: 'http://a/v1', capabilities: { streaming: true, maxInputImages: 40 } },
        { id: 'a', baseUrl: 'http://b/v1', sizeLimits: { maxEdge: 'big' } },
      ]),
    });
    expect(found).toEqual([
      expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES \[0\]\.id: is reserved for a built-in engine/),
      expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES \[0\]\.baseUrl: must be an absolute http\(s\) URL/),
      expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES \[1\]\.capabilities\.maxInputImages: must be at most 16/),
      expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES \[1\]\.capabilities: .*streaming/),
      expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES \[2\]\.sizeLimits\.maxEdge: /),
    ]);
    const twice = JSON.stringify([{ id: 'a', baseUrl: 'http://a/v1' }, { id: 'a', baseUrl: 'http://b/v1' }]);
    expect(problems({ DARKROOM_COMPATIBLE_ENGINES: twice })).toEqual(['DARKROOM_COMPATIBLE_ENGINES [1].id: "a" is used by more than one engine']);
    expect(found.join('\n')).not.toContain('sk-must-not-appear');
    expect(problems({ DARKROOM_COMPATIBLE_ENGINES: '[{"id":' })).toEqual([expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES is not valid JSON/)]);
    expect(problems({ DARKROOM_COMPATIBLE_ENGINES: '{"id":"x"}' })).toEqual([expect.stringMatching(/^DARKROOM_COMPATIBLE_ENGINES the value: /)]);
  });

  it('accepts the list written as JSON in a DARKROOM_CONFIG file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'darkroom-config-'));
    try {
      const path = join(directory, 'config.json');
      writeFileSync(path, JSON.stringify({ DARKROOM_COMPATIBLE_ENGINES: [{ id: 'sdcpp', baseUrl: 'http://127.0.0.1:1234/v1' }] }));
      expect(loadConfig({ DARKROOM_CONFIG: path }).upstreams.compatible.map((engine) => engine.id)).toEqual(['sdcpp']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
