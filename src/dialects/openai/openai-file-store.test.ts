import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '../../blobs/memory-blob-store.ts';
import { assertValidBlobKey } from '../../blobs/blob-store.ts';
import { OpenAiFileStore, safeFileName } from './openai-file-store.ts';

const alice = { keyId: 'key-alice', admin: false };
const bob = { keyId: 'key-bob', admin: false };

describe('safeFileName', () => {
  it('makes client names into valid blob key segments that cannot collide with the sidecar', () => {
    for (const name of ['my photo.png', '../../etc/passwd', 'C:\\pics\\ünïcode.jpg', '.hidden', '', 'meta.json', 'x.type', 'a.tmp']) {
      const safe = safeFileName(name);
      expect(() => assertValidBlobKey(`uploads/file-1/${safe}`)).not.toThrow();
      expect(safe).not.toBe('meta.json');
      expect(safe).not.toMatch(/\.(type|tmp)$/);
    }
    expect(safeFileName('my photo.png')).toBe('my_photo.png');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
  });
});

describe('OpenAiFileStore', () => {
  it('stores bytes with an owner sidecar and shows each key only its own files', async () => {
    const blobs = new MemoryBlobStore();
    const files = new OpenAiFileStore(blobs, () => new Date('2026-01-01T00:00:00Z'));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
    const record = await files.create(alice, { filename: 'a.png', purpose: 'vision', data: png, mediaType: 'application/octet-stream' });
    expect(record).toMatchObject({ ownerKeyId: 'key-alice', bytes: 9, mediaType: 'image/png', createdAt: 1767225600 });
    expect(await blobs.list(`uploads/${record.id}/`)).toEqual([`uploads/${record.id}/a.png`, `uploads/${record.id}/meta.json`]);
    expect((await files.content(await files.get(record.id, alice))).data).toEqual(png);
    await expect(files.get(record.id, bob)).rejects.toMatchObject({ code: 'not_found', field: 'file_id' });
    await expect(files.get('../etc', alice)).rejects.toMatchObject({ code: 'not_found' });
    expect(await files.list(bob, undefined)).toEqual([]);
    expect((await files.list({ keyId: undefined, admin: true }, 'vision')).map((file) => file.id)).toEqual([record.id]);
    await expect(files.delete(record.id, bob)).rejects.toMatchObject({ code: 'not_found' });
    await files.delete(record.id, alice);
    expect(await blobs.list('uploads/')).toEqual([]);
  });
});
