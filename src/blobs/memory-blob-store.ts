import { assertValidBlobKey, type BlobInfo, type BlobMetadata, type BlobStore, type StoredBlob } from './blob-store.ts';

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly writtenAt = new Map<string, Date>();

  async put(key: string, data: Uint8Array, metadata: BlobMetadata): Promise<BlobInfo> {
    assertValidBlobKey(key);
    this.blobs.set(key, { data: new Uint8Array(data), mediaType: metadata.mediaType, byteLength: data.byteLength });
    this.writtenAt.set(key, new Date());
    return { key, mediaType: metadata.mediaType, byteLength: data.byteLength };
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const blob = this.blobs.get(key);
    return blob ? { ...blob, data: new Uint8Array(blob.data) } : undefined;
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const blob = this.blobs.get(key);
    return blob ? { key, mediaType: blob.mediaType, byteLength: blob.byteLength } : undefined;
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
    this.writtenAt.delete(key);
  }

  async storedAt(key: string): Promise<Date | undefined> {
    return this.writtenAt.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.blobs.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
