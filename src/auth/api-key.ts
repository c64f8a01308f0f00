import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ApiKeyRecord = {
  id: string;
  name: string;
  /** The first characters of the key, shown in listings so people can tell keys apart. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | undefined;
  /** Admin keys manage keys and see every key's jobs and usage. */
  admin: boolean;
  limits: KeyLimits;
};

/** Per-key limits; undefined = unlimited. */
export type KeyLimits = {
  /** Requests per minute. */
  rpm: number | undefined;
  /** Jobs queued or running at once. */
  concurrency: number | undefined;
  /** USD per calendar month (UTC); 0 allows only free engines. */
  monthlyBudgetUsd: number | undefined;
};

/** What `keys create` / the admin API may set on a new key. */
export type NewKeyOptions = { admin?: boolean; limits?: Partial<KeyLimits> };

/** A change to a key: a limit set to `null` is removed (unlimited). */
export type KeyChanges = { admin?: boolean } & { [Limit in keyof KeyLimits]?: number | null };

const keyPrefix = 'dk_';

/** A new high-entropy key (`dk_` + 43 url-safe characters, 256 bits). */
export function generateApiKey(): string {
  return keyPrefix + randomBytes(32).toString('base64url');
}

/** Keys are random, so a fast hash is enough; only the hash is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export const displayPrefix = (key: string): string => key.slice(0, keyPrefix.length + 8);

export function hashesEqual(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'hex');
  const rightBytes = Buffer.from(right, 'hex');
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes);
}
