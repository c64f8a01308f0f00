export type BlobMetadata = { mediaType: string };
export type StoredBlob = { data: Uint8Array; mediaType: string; byteLength: number };
export type BlobInfo = { key: string; mediaType: string; byteLength: number };

/**
 * Where image bytes live: inputs, partial renders and results. Keys are slash-separated paths such as
 * `results/<jobId>/0.png`; writing the same key twice replaces it, which makes a re-run job's results idempotent.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array, metadata: BlobMetadata): Promise<BlobInfo>;
  get(key: string): Promise<StoredBlob | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix (`results/<jobId>/`), for purges and clean-up. */
  list(prefix: string): Promise<string[]>;
  /** When the blob was last written; undefined when it does not exist. Retention expires uploads by it. */
  storedAt(key: string): Promise<Date | undefined>;
}

const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

/** Rejects keys that could escape a directory or an object-store prefix. */
export function assertValidBlobKey(key: string): void {
  if (!keyPattern.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.length > 512) {
    throw new Error(`Invalid blob key: ${key}`);
  }
}
