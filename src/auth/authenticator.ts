import { GatewayError } from '../domain/gateway-error.ts';
import { hashApiKey, type KeyLimits } from './api-key.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/** Who is calling: a key (with its admin flag and limits) or anonymous (open mode). */
export type Principal = { keyId: string | undefined; admin: boolean; limits?: KeyLimits };

export const anonymousPrincipal: Principal = { keyId: undefined, admin: false };

/**
 * Resolves the `Authorization` header to a principal. With no active keys the server is open (every
 * request is anonymous); once a key exists every request needs one. Keys can be created by the CLI while
 * the server runs, so the key count and positive look-ups are cached only briefly.
 */
export class Authenticator {
  private openModeCheckedAt = -Infinity;
  private openMode = true;
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number }>();
  /** Hashes no active key has, so a flood of invalid keys is answered without touching the store. */
  private readonly unknownHashes = new Map<string, number>();

  constructor(private readonly keys: ApiKeyStore, private readonly cacheMs = 2000) {}

  async isOpenMode(): Promise<boolean> {
    if (Date.now() - this.openModeCheckedAt > this.cacheMs) {
      this.openMode = (await this.keys.countActive()) === 0;
      this.openModeCheckedAt = Date.now();
    }
    return this.openMode;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const key = extractKey(authorization);
    // A valid key always counts, even in open mode, so jobs never change owner when the first key appears.
    const principal = key ? await this.lookUp(key) : undefined;
    if (principal) return principal;
    // Open mode ignores unknown keys: clients written for a hosted API send their own key along.
    if (await this.isOpenMode()) return anonymousPrincipal;
    if (!key) throw new GatewayError('unauthorized', 'An API key is required: send "Authorization: Bearer <key>"');
    // One message for unknown, malformed and revoked keys: no hint which one it was.
    throw new GatewayError('unauthorized', 'Invalid API key');
  }

  private async lookUp(key: string): Promise<Principal | undefined> {
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    if ((this.unknownHashes.get(hash) ?? 0) > Date.now()) return undefined;
    const record = await this.keys.findActiveByHash(hash);
    if (!record) {
      if (this.unknownHashes.size > 10_000) this.unknownHashes.clear();
      this.unknownHashes.set(hash, Date.now() + this.cacheMs);
      return undefined;
    }
    const principal: Principal = { keyId: record.id, admin: record.admin, limits: record.limits };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, expiresAt: Date.now() + this.cacheMs });
    return principal;
  }
}

/** `Bearer <key>` (Oxen, OpenAI, WaveSpeed) or `Key <key>` (fal). */
export function extractKey(authorization: string | undefined): string | undefined {
  const match = /^\s*(?:Bearer|Key)\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
