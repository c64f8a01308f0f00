import type { Principal } from '../../auth/authenticator.ts';
import type { BlobStore, StoredBlob } from '../../blobs/blob-store.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import { newId } from '../../domain/ids.ts';
import { sniffImageType } from '../../imaging/sniff-image-type.ts';
import type { OpenAiFileRecord } from './to-openai-response.ts';

const idPattern = /^file-[A-Za-z0-9]{1,64}$/;
const metaName = 'meta.json';

/**
 * A blob-key-safe version of a client's file name (`my photo.png` → `my_photo.png`) that cannot collide with
 * the sidecar or with the disk store's own `.type`/`.tmp` files.
 */
export function safeFileName(filename: string): string {
  const cleaned = filename
    .replace(/^.*[\\/]/, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[.]+/, '')
    .slice(0, 120);
  if (cleaned === '') return 'upload';
  if (cleaned === metaName || /\.(type|tmp)$/i.test(cleaned)) return `${cleaned}_`;
  return cleaned;
}

const canSee = (principal: Principal, record: OpenAiFileRecord) => principal.admin || record.ownerKeyId === (principal.keyId ?? null);

/**
 * OpenAI's Files API on the blob store, no extra database: the bytes under `uploads/<id>/<name>` and a JSON
 * sidecar `uploads/<id>/meta.json` with the owner, name and purpose. A key sees only its own files; a
 * missing and a foreign file look the same. Bytes are stored as given and validated as images when used.
 */
export class OpenAiFileStore {
  constructor(private readonly blobs: BlobStore, private readonly now: () => Date) {}

  async create(principal: Principal, upload: { filename: string; purpose: string; data: Uint8Array; mediaType: string }): Promise<OpenAiFileRecord> {
    const id = `file-${newId().replace(/-/g, '')}`;
    const name = safeFileName(upload.filename);
    const record: OpenAiFileRecord = {
      id,
      ownerKeyId: principal.keyId ?? null,
      filename: upload.filename,
      purpose: upload.purpose,
      bytes: upload.data.byteLength,
      createdAt: Math.floor(this.now().getTime() / 1000),
      mediaType: sniffImageType(upload.data) ?? (upload.mediaType || 'application/octet-stream'),
      contentKey: `uploads/${id}/${name}`,
    };
    await this.blobs.put(record.contentKey, upload.data, { mediaType: record.mediaType });
    // The sidecar is written last: a file is only visible once both exist.
    await this.blobs.put(`uploads/${id}/${metaName}`, new TextEncoder().encode(JSON.stringify(record)), { mediaType: 'application/json' });
    return record;
  }

  /** The file's record, or a not_found naming `field` when it does not exist or belongs to another key. */
  async get(id: string, principal: Principal, field = 'file_id'): Promise<OpenAiFileRecord> {
    const record = idPattern.test(id) ? await this.readRecord(`uploads/${id}/${metaName}`) : undefined;
    if (!record || !canSee(principal, record)) throw new GatewayError('not_found', `No such File object: ${id}`, { field });
    return record;
  }

  async content(record: OpenAiFileRecord, field = 'file_id'): Promise<StoredBlob> {
    const blob = await this.blobs.get(record.contentKey);
    if (!blob) throw new GatewayError('not_found', `The content of file ${record.id} is gone`, { field });
    return blob;
  }

  async delete(id: string, principal: Principal): Promise<void> {
    const record = await this.get(id, principal);
    await this.blobs.delete(`uploads/${id}/${metaName}`);
    await this.blobs.delete(record.contentKey);
  }

  /** The principal's files, newest first. Reads every sidecar: meant for the modest numbers a self-hosted server holds. */
  async list(principal: Principal, purpose: string | undefined): Promise<OpenAiFileRecord[]> {
    const keys = (await this.blobs.list('uploads/')).filter((key) => /^uploads\/file-[A-Za-z0-9]+\/meta\.json$/.test(key));
    const records = await Promise.all(keys.map((key) => this.readRecord(key)));
    return records
      .filter((record): record is OpenAiFileRecord => record !== undefined && canSee(principal, record))
      .filter((record) => purpose === undefined || record.purpose === purpose)
      .sort((first, second) => second.createdAt - first.createdAt || (first.id < second.id ? 1 : -1));
  }

  private async readRecord(key: string): Promise<OpenAiFileRecord | undefined> {
    const blob = await this.blobs.get(key);
    if (!blob) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(blob.data)) as OpenAiFileRecord;
    } catch {
      return undefined;
    }
  }
}
