import type { Database } from '../db/database.js';
import { LIVE_REFERENCE_SQL } from './blob-access.js';
import { DatabaseBlobBytes, type BlobBytes } from './blob-bytes.js';

export interface BlobGcOptions {
  /**
   * How long a blob no record has ever referenced is kept: an upload finishes before the record
   * naming it is pushed, and must not be collected in between.
   */
  unreferencedGraceMs: number;
  /** How long an unfinished upload may sit untouched before its chunks go. */
  abandonedUploadMs: number;
}

export const DEFAULT_BLOB_GC: BlobGcOptions = { unreferencedGraceMs: 60 * 60_000, abandonedUploadMs: 7 * 24 * 60 * 60_000 };

/**
 * Deletes the bytes no live record refers to any more: a blob whose every referencing document is
 * tombstoned goes at once; one never referenced after the grace; abandoned uploads after theirs.
 * Answers the hashes whose bytes went.
 */
export async function collectBlobs(
  db: Database,
  options: BlobGcOptions = DEFAULT_BLOB_GC,
  bytes: BlobBytes = new DatabaseBlobBytes(db),
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ sha256: string }>(
      `DELETE FROM blob b
        WHERE NOT EXISTS (${LIVE_REFERENCE_SQL('b.sha256')})
          AND (EXISTS (SELECT 1 FROM field_state r
                        WHERE r.tbl = 'document' AND r.field = 'blob_sha256' AND (r.value #>> '{}') = b.sha256)
               OR b.completed_at < now() - make_interval(secs => $1::double precision / 1000))
        RETURNING sha256`,
      [options.unreferencedGraceMs],
    );
    const abandoned = await tx.query<{ sha256: string }>(
      `DELETE FROM blob_upload WHERE updated_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING sha256`,
      [options.abandonedUploadMs],
    );
    const gone = [...rows, ...abandoned.rows].map((r) => r.sha256);
    if (gone.length > 0) {
      // A hash uploaded again meanwhile keeps its bytes (its upload row or blob row exists).
      const { rows: orphans } = await tx.query<{ sha256: string }>(
        `SELECT g.sha256 FROM jsonb_array_elements_text($1::jsonb) AS g(sha256)
          WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = g.sha256)
            AND NOT EXISTS (SELECT 1 FROM blob_upload u WHERE u.sha256 = g.sha256)`,
        [JSON.stringify(gone)],
      );
      for (const { sha256 } of orphans) await bytes.drop(tx, sha256);
    }
    return gone;
  });
}
