import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: undefined,
      dataDirectory: resolve('./data'),
      publicUrl: undefined,
      fetchAllowlist: [],
      store: 'sqlite',
      queueCapacity: 1000,
      keepAliveSeconds: 15,
    });
    expect(config.limits).toMatchObject({ maxInputImages: 16, maxInputBytes: 50 * 1024 * 1024 });
  });

  it('parses lists, pairs and URLs', () => {
    const config = loadConfig({
      PORT: '9000',
      DARKROOM_FETCH_ALLOWLIST: ' images.internal , 10.0.0.0/8,,127.0.0.1 ',
      DARKROOM_ENGINE_CONCURRENCY: 'local=4, openai=32',
      DARKROOM_ROUTES: 'gpt-image-2=openai',
      DARKROOM_PUBLIC_URL: 'https://images.example.com/',
    });
    expect(config.port).toBe(9000);
    expect(config.fetchAllowlist).toEqual(['images.internal', '10.0.0.0/8', '127.0.0.1']);
    expect(config.engineConcurrency).toEqual({ local: 4, openai: 32 });
    expect(config.routes).toEqual({ 'gpt-image-2': 'openai' });
    expect(config.publicUrl).toBe('https://images.example.com');
  });

  it('reports every invalid setting at once, naming it and the value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DARKROOM_QUEUE_CAPACITY: '0', DARKROOM_PUBLIC_URL: 'localhost:8080', DARKROOM_ENGINE_CONCURRENCY: 'local' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT must be a whole number (got "eighty")');
    expect(message).toContain('DARKROOM_QUEUE_CAPACITY must be at least 1 (got "0")');
    expect(message).toContain('DARKROOM_PUBLIC_URL must be an absolute http(s) URL');
    expect(message).toContain('"local" is not of the form name=value');
  });

  it('reads a JSON config file named by DARKROOM_CONFIG; the environment wins', () => {
    const directory = mkdtempSync(join(tmpdir(), 'darkroom-config-'));
    const path = join(directory, 'darkroom.json');
    writeFileSync(path, JSON.stringify({ PORT: 7000, DARKROOM_FETCH_ALLOWLIST: ['a.internal', 'b.internal'], DARKROOM_ROUTES: { 'gpt-image-2': 'local' } }));
    const config = loadConfig({ DARKROOM_CONFIG: path, DARKROOM_QUEUE_CAPACITY: '5', PORT: '7001' });
    expect(config.port).toBe(7001);
    expect(config.fetchAllowlist).toEqual(['a.internal', 'b.internal']);
    expect(config.routes).toEqual({ 'gpt-image-2': 'local' });
    writeFileSync(path, JSON.stringify({ NOT_A_SETTING: 1 }));
    expect(() => loadConfig({ DARKROOM_CONFIG: path })).toThrow(/unknown setting NOT_A_SETTING/);
    expect(() => loadConfig({ DARKROOM_CONFIG: join(directory, 'missing.json') })).toThrow(/cannot be read/);
  });
});
