import { beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.ts';

/** Every BlobStore implementation runs this suite (memory and disk now; S3 later). */
export function describeBlobStoreContract(name: string, createStore: () => Promise<BlobStore> | BlobStore): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('stores bytes and returns them with their media type', async () => {
      const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
      const info = await store.put('results/job-1/0.png', bytes, { mediaType: 'image/png' });
      expect(info).toEqual({ key: 'results/job-1/0.png', mediaType: 'image/png', byteLength: 7 });
      const blob = await store.get('results/job-1/0.png');
      expect(blob?.mediaType).toBe('image/png');
      expect([...(blob?.data ?? [])]).toEqual([...bytes]);
      expect(await store.head('results/job-1/0.png')).toEqual(info);
    });

    it('stores multi-megabyte blobs byte-exact, with a sidecar type too', async () => {
      const large = new Uint8Array(3 * 1024 * 1024).map((_, index) => (index * 7) % 251);
      await store.put('results/job-big/0.png', large, { mediaType: 'image/png' });
      await store.put('uploads/big/file', large, { mediaType: 'image/jpeg' });
      expect(Buffer.from((await store.get('results/job-big/0.png'))?.data ?? []).equals(Buffer.from(large))).toBe(true);
      expect((await store.get('uploads/big/file'))?.mediaType).toBe('image/jpeg');
    });

    it('keeps a media type that the key does not imply', async () => {
      await store.put('uploads/abc/file', new Uint8Array([1]), { mediaType: 'image/webp' });
      expect((await store.get('uploads/abc/file'))?.mediaType).toBe('image/webp');
      expect((await store.head('uploads/abc/file'))?.mediaType).toBe('image/webp');
    });

    it('replaces a blob written twice under the same key', async () => {
      await store.put('results/job-2/0.png', new Uint8Array([1, 1, 1]), { mediaType: 'image/png' });
      await store.put('results/job-2/0.png', new Uint8Array([2]), { mediaType: 'image/png' });
      expect([...((await store.get('results/job-2/0.png'))?.data ?? [])]).toEqual([2]);
    });

    it('answers undefined for missing keys and deletes idempotently', async () => {
      expect(await store.get('results/none/0.png')).toBeUndefined();
      expect(await store.head('results/none/0.png')).toBeUndefined();
      await store.put('results/job-3/0.png', new Uint8Array([1]), { mediaType: 'image/png' });
      await store.delete('results/job-3/0.png');
      await store.delete('results/job-3/0.png');
      expect(await store.get('results/job-3/0.png')).toBeUndefined();
    });

    it('lists keys under a prefix', async () => {
      await store.put('results/job-4/0.png', new Uint8Array([1]), { mediaType: 'image/png' });
      await store.put('results/job-4/1.png', new Uint8Array([1]), { mediaType: 'image/png' });
      await store.put('results/job-5/0.png', new Uint8Array([1]), { mediaType: 'image/png' });
      expect(await store.list('results/job-4/')).toEqual(['results/job-4/0.png', 'results/job-4/1.png']);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('tells when a blob was written', async () => {
      const before = Date.now() - 1000;
      await store.put('uploads/when/0.png', new Uint8Array([1]), { mediaType: 'image/png' });
      const storedAt = await store.storedAt('uploads/when/0.png');
      expect(storedAt?.getTime()).toBeGreaterThanOrEqual(before);
      expect(storedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(await store.storedAt('uploads/missing/0.png')).toBeUndefined();
    });

    it('rejects keys that could escape the store', async () => {
      for (const key of ['../etc/passwd', 'results/../../x', '/absolute', 'a//b', '', 'results/./x']) {
        await expect(store.put(key, new Uint8Array([1]), { mediaType: 'image/png' })).rejects.toThrow(/Invalid blob key/);
      }
    });
  });
}
