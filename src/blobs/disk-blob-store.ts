import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { assertValidBlobKey, type BlobInfo, type BlobMetadata, type BlobStore, type StoredBlob } from './blob-store.ts';

const mediaTypeByExtension: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  json: 'application/json',
};

/** Blobs up to this size are written with synchronous calls (see `put`). */
const syncWriteLimit = 64 * 1024;

/**
 * Blobs as files under one directory. Writes go to a temporary file and are renamed into place, so a crash
 * never leaves a half-written blob under its real key. The media type is derived from the key's extension,
 * falling back to a `.type` sidecar for keys without a known one.
 */
export class DiskBlobStore implements BlobStore {
  constructor(private readonly rootDirectory: string) {}

  private pathOf(key: string): string {
    assertValidBlobKey(key);
    return join(this.rootDirectory, ...key.split('/'));
  }

  async put(key: string, data: Uint8Array, metadata: BlobMetadata): Promise<BlobInfo> {
    const path = this.pathOf(key);
    const temporaryPath = `${path}.${randomUUID()}.tmp`;
    const sidecar = mediaTypeFromKey(key) !== metadata.mediaType;
    if (data.byteLength <= syncWriteLimit) {
      // A handful of syscalls on a small file cost less than five round trips through the thread pool.
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temporaryPath, data);
      if (sidecar) writeFileSync(`${path}.type`, metadata.mediaType);
      renameSync(temporaryPath, path);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporaryPath, data);
      if (sidecar) await writeFile(`${path}.type`, metadata.mediaType);
      await rename(temporaryPath, path);
    }
    return { key, mediaType: metadata.mediaType, byteLength: data.byteLength };
  }

  private async mediaTypeOf(key: string, path: string): Promise<string> {
    try {
      return (await readFile(`${path}.type`, 'utf8')).trim();
    } catch {
      return mediaTypeFromKey(key) ?? 'application/octet-stream';
    }
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const path = this.pathOf(key);
    try {
      const data = new Uint8Array(await readFile(path));
      return { data, mediaType: await this.mediaTypeOf(key, path), byteLength: data.byteLength };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      return { key, mediaType: await this.mediaTypeOf(key, path), byteLength: info.size };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async storedAt(key: string): Promise<Date | undefined> {
    try {
      return (await stat(this.pathOf(key))).mtime;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(`${path}.type`, { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (directory: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(directory, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.endsWith('.tmp') && !entry.name.endsWith('.type')) {
          const key = relative(this.rootDirectory, path).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(this.rootDirectory);
    return keys.sort();
  }
}

function mediaTypeFromKey(key: string): string | undefined {
  const extension = key.split('.').pop()?.toLowerCase() ?? '';
  return mediaTypeByExtension[extension];
}

const isNotFound = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'ENOENT';
