import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const prefix = 'whsec_';

/** Standard Webhooks' symmetric secret: `whsec_` + standard base64 of 24–64 random bytes. */
export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(prefix)) return false;
  const encoded = value.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
  const length = Buffer.from(encoded, 'base64').byteLength;
  return length >= 24 && length <= 64;
}

export const webhookSecretPath = (dataDirectory: string) => join(dataDirectory, 'webhook-secret');

/** The secret kept in the data directory, created (mode 600) on first use so every start signs alike. */
export function loadOrCreateWebhookSecret(dataDirectory: string): string {
  const path = webhookSecretPath(dataDirectory);
  if (existsSync(path)) {
    const secret = readFileSync(path, 'utf8').trim();
    if (!isWebhookSecret(secret)) throw new Error(`${path} does not hold a whsec_… webhook secret; delete it to generate a new one`);
    return secret;
  }
  const secret = `${prefix}${randomBytes(32).toString('base64')}`;
  mkdirSync(dirname(path), { recursive: true });
  // `wx` fails if another process created it in between; theirs then wins.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateWebhookSecret(dataDirectory);
    throw error;
  }
  return secret;
}
