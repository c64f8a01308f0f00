import type { ApiKeyRecord, KeyChanges, NewKeyOptions } from './api-key.ts';

export interface ApiKeyStore {
  /** Stores the hash of a freshly generated key and returns the key itself, which is never stored. */
  create(name: string, now: Date, options?: NewKeyOptions): Promise<{ key: string; record: ApiKeyRecord }>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes by id, exact name or display prefix; returns the revoked record, or undefined when none matched. */
  revoke(idNameOrPrefix: string, now: Date): Promise<ApiKeyRecord | undefined>;
  /** Changes an active key's admin flag or limits (by id, exact name or display prefix); undefined when none matched. */
  update(idNameOrPrefix: string, changes: KeyChanges): Promise<ApiKeyRecord | undefined>;
  /** The active key with this hash. */
  findActiveByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  countActive(): Promise<number>;
}
