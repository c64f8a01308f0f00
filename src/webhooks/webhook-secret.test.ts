import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { isWebhookSecret, loadOrCreateWebhookSecret, webhookSecretPath } from './webhook-secret.ts';

describe('webhook secret', () => {
  const directories: string[] = [];
  const newDirectory = () => {
    const directory = mkdtempSync(join(tmpdir(), 'darkroom-secret-'));
    directories.push(directory);
    return directory;
  };
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('accepts whsec_ plus base64 of 24–64 bytes only', () => {
    expect(isWebhookSecret(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(64, 1).toString('base64')}`)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(23, 1).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(65, 1).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(Buffer.alloc(32, 1).toString('base64'))).toBe(false);
    expect(isWebhookSecret('whsec_not base64!')).toBe(false);
  });

  it('generates one secret into the data directory (mode 600) and keeps returning it', () => {
    const directory = newDirectory();
    const secret = loadOrCreateWebhookSecret(directory);
    expect(isWebhookSecret(secret)).toBe(true);
    expect(loadOrCreateWebhookSecret(directory)).toBe(secret);
    expect(readFileSync(webhookSecretPath(directory), 'utf8').trim()).toBe(secret);
    expect(statSync(webhookSecretPath(directory)).mode & 0o777).toBe(0o600);
    // The official library accepts it as a key.
    const signature = new Webhook(secret).sign('msg_1', new Date(), '{}');
    expect(new Webhook(secret).verify('{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signature })).toEqual({});
  });

  it('refuses a corrupt secret file instead of silently replacing it', () => {
    const directory = newDirectory();
    writeFileSync(webhookSecretPath(directory), 'garbage');
    expect(() => loadOrCreateWebhookSecret(directory)).toThrow(/whsec_/);
  });

  it('reads DARKROOM_WEBHOOK_SECRET, the retry schedule and the timeout from settings', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const config = loadConfig({ DARKROOM_WEBHOOK_SECRET: secret, DARKROOM_WEBHOOK_RETRY_SCHEDULE: '0, 0.5,60', DARKROOM_WEBHOOK_TIMEOUT: '2.5' });
    expect(config.webhooks).toEqual({ secret, retryScheduleSeconds: [0, 0.5, 60], timeoutSeconds: 2.5 });
    expect(loadConfig({}).webhooks).toMatchObject({ secret: undefined, timeoutSeconds: 15 });
    expect(() => loadConfig({ DARKROOM_WEBHOOK_SECRET: 'whsec_short' })).toThrow(/DARKROOM_WEBHOOK_SECRET/);
    expect(() => loadConfig({ DARKROOM_WEBHOOK_RETRY_SCHEDULE: '0,soon' })).toThrow(/DARKROOM_WEBHOOK_RETRY_SCHEDULE/);
  });
});
