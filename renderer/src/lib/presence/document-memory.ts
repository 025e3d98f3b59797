/**
 * Which presence document this profile's page last published, so that the next page can remove it.
 * A page that dies without its pagehide (renderer crash, killed process, lost connection) leaves
 * its document at the PBX until it expires (PUBLISH Expires, 180 s): after a proper close the
 * colleagues would still see its last status. Only the ETag can remove a document (RFC 3903), so
 * it is kept in the page's storage. An ETag is no secret: the PBX takes a PUBLISH only from the
 * certificate's own user.
 */
export interface DocumentMemory {
  /** The ETag of the document a previous page published for `aor`, if it may still exist. */
  recall(aor: string): string | undefined;
  /** The current page's document (or none, after it was withdrawn). */
  remember(aor: string, etag: string | undefined, expiresSeconds: number): void;
}

const KEY = 'vermittlung.presence.document';
/** What a PBX sends as SIP-ETag (a token); anything else read back is not put into a header. */
const ETAG = /^[\w.!%*+`'~=/-]{1,128}$/;

interface Stored {
  aor: string;
  etag: string;
  until: number;
}

export function storageDocumentMemory(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  now = Date.now,
): DocumentMemory {
  return {
    recall(aor) {
      let stored: Partial<Stored> | undefined;
      try {
        stored = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Stored> | undefined;
      } catch {
        return undefined;
      }
      if (!stored || stored.aor !== aor || typeof stored.etag !== 'string' || !ETAG.test(stored.etag)) return undefined;
      return typeof stored.until === 'number' && stored.until > now() ? stored.etag : undefined;
    },
    remember(aor, etag, expiresSeconds) {
      try {
        if (!etag || expiresSeconds <= 0) storage.removeItem(KEY);
        else storage.setItem(KEY, JSON.stringify({ aor, etag, until: now() + expiresSeconds * 1000 } satisfies Stored));
      } catch {
        // Storage full or disabled: only the clean-up after a crash is lost.
      }
    },
  };
}

/** For pages and tests that have nothing to keep. */
export const noDocumentMemory: DocumentMemory = { recall: () => undefined, remember: () => undefined };
