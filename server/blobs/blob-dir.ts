import { mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOB_PIECE_BYTES, BlobHash } from '../../protocol/index.js';
import type { BlobBytes } from './blob-bytes.js';

/**
 * The bytes as files under a directory the operator names (`--blob-dir`): an upload grows in
 * `uploads/<sha256>`, written at the offset the database says, and moves to `blobs/<sha256>` once
 * it hashed to its name. The database keeps the offsets, so a chunk whose transaction did not commit
 * is simply written again at the same place.
 */
export class DirectoryBlobBytes implements BlobBytes {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'uploads'), { recursive: true });
    mkdirSync(join(dir, 'blobs'), { recursive: true });
  }

  uploadPath(sha256: string): string {
    return join(this.dir, 'uploads', BlobHash.parse(sha256));
  }

  blobPath(sha256: string): string {
    return join(this.dir, 'blobs', BlobHash.parse(sha256));
  }

  async put(_tx: unknown, sha256: string, offset: number, data: Buffer): Promise<void> {
    const file = await open(this.uploadPath(sha256), offset === 0 ? 'w' : 'r+');
    try {
      await file.write(data, 0, data.length, offset);
      // Bytes of a chunk written before whose offset never committed must not trail the file.
      await file.truncate(offset + data.length);
      await file.datasync();
    } finally {
      await file.close();
    }
  }

  async drop(_tx: unknown, sha256: string): Promise<void> {
    await rm(this.uploadPath(sha256), { force: true });
    await rm(this.blobPath(sha256), { force: true });
  }

  async seal(_tx: unknown, sha256: string): Promise<void> {
    await rename(this.uploadPath(sha256), this.blobPath(sha256));
  }

  async *read(sha256: string): AsyncGenerator<Buffer> {
    const file = await open(this.blobPath(sha256), 'r').catch(() => open(this.uploadPath(sha256), 'r'));
    try {
      for (let position = 0; ;) {
        const buffer = Buffer.alloc(BLOB_PIECE_BYTES);
        const { bytesRead } = await file.read(buffer, 0, BLOB_PIECE_BYTES, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }
}
