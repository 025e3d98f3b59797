import type { Database, Queryable } from '../db/database.js';

/**
 * Where the bytes of uploads and blobs live: in the database (`blob_chunk`, the default) or in a
 * directory the operator names (blob-dir.ts). The upload's offset, the verification and who may
 * read stay in the database either way (blob-store.ts); this is only the bytes.
 */
export interface BlobBytes {
  /** Stores a chunk at `offset`, inside the transaction that moves the upload's offset. */
  put(tx: Queryable, sha256: string, offset: number, data: Buffer): Promise<void>;
  /** Drops every byte stored under the hash (an upload begun again, refused, or collected). */
  drop(tx: Queryable, sha256: string): Promise<void>;
  /** The upload hashed to its name: its bytes become the blob's. */
  seal(tx: Queryable, sha256: string): Promise<void>;
  /** The bytes in order, at most a chunk in memory at a time: the blob's, else the upload's so far. */
  read(sha256: string): AsyncGenerator<Buffer>;
}

/** The bytes as bytea pieces of at most BLOB_PIECE_BYTES in the table `blob_chunk`. */
export class DatabaseBlobBytes implements BlobBytes {
  constructor(private readonly db: Database) {}

  async put(tx: Queryable, sha256: string, offset: number, data: Buffer): Promise<void> {
    await tx.query('INSERT INTO blob_chunk (sha256, ofs, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      sha256,
      offset,
      data,
    ]);
  }

  async drop(tx: Queryable, sha256: string): Promise<void> {
    await tx.query('DELETE FROM blob_chunk WHERE sha256 = $1', [sha256]);
  }

  async seal(): Promise<void> {}

  /** One query per chunk: at most one chunk is in memory at a time. */
  async *read(sha256: string): AsyncGenerator<Buffer> {
    // Aliased apart from the column: ORDER BY an output name would sort the text ("10485760" < "2097152").
    const { rows } = await this.db.query<{ at: string }>(
      'SELECT ofs::text AS at FROM blob_chunk WHERE sha256 = $1 ORDER BY ofs',
      [sha256],
    );
    for (const { at: ofs } of rows) {
      const chunk = await this.db.query<{ data: Uint8Array }>('SELECT data FROM blob_chunk WHERE sha256 = $1 AND ofs = $2', [
        sha256,
        ofs,
      ]);
      const data = chunk.rows[0]?.data;
      if (!data) throw new Error(`chunk ${ofs} of ${sha256} vanished while being read`);
      yield Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
  }
}
