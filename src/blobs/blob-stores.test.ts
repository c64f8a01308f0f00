import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { DiskBlobStore } from './disk-blob-store.ts';
import { MemoryBlobStore } from './memory-blob-store.ts';

describeBlobStoreContract('memory', () => new MemoryBlobStore());
describeBlobStoreContract('disk', () => new DiskBlobStore(mkdtempSync(join(tmpdir(), 'darkroom-blobs-'))));
