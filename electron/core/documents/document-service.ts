import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  HostError,
  IntakeFolder,
  SNIFF_BYTES,
  sniffBlobType,
  type Attachment,
  type BlobType,
  type DocumentRecord,
  type DocumentSource,
} from '../../../protocol/index.js';
import { BlobError } from '../blobs/blob-error.js';
import type { BlobCache } from '../blobs/blob-cache.js';
import type { BlobUploader } from '../blobs/blob-uploader.js';
import type { Logger } from '../log/logger.js';
import type { LocalStore } from '../store/store.js';
import { SyncRequestError } from '../sync/sync-client.js';
import type { DocumentDialogPort } from './dialog-port.js';
import type { IntakeWatcher } from './intake-watcher.js';

export interface DocumentServiceDeps {
  store: LocalStore;
  cache: BlobCache;
  uploader: BlobUploader;
  /** The scanner's folder; without it, `intake` sources are not found. */
  intake?: IntakeWatcher;
  /** The host's file dialogs; the browser shell has none. */
  dialogs?: DocumentDialogPort;
  log?: Logger;
}

interface DocumentRow {
  id: string;
  tenant_id: string;
  blob_sha256: string | null;
  name: string | null;
  mime: string | null;
  size: number | null;
  attached_table: string | null;
  attached_id: string | null;
}

const COLUMNS = 'id, tenant_id, blob_sha256, name, mime, size, attached_table, attached_id';

/** Files picked in the dialog and not filed yet, at most this many (the oldest are forgotten). */
const MAX_PICKED = 16;

/**
 * The app's documents: files become `document` records of a firm (synced like any record) whose
 * bytes wait in the upload queue and the local cache; reading downloads on demand. Only opaque ids
 * and bytes leave this service, never a host path.
 */
export class DocumentService {
  /** Opaque id → host path of files picked in the dialog; the renderer never sees the path. */
  private readonly picked = new Map<string, string>();

  constructor(private readonly deps: DocumentServiceDeps) {}

  /**
   * The open-file dialog, before anything is registered: a cancelled dialog leaves nothing behind,
   * and a file of the wrong type is refused before a letter is filed for it.
   */
  async pick(): Promise<{ id: string; name: string } | null> {
    const file = await this.dialogs().openFile();
    if (!file) return null;
    const head = Buffer.alloc(SNIFF_BYTES);
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, SNIFF_BYTES, 0);
    } finally {
      await handle.close();
    }
    if (!sniffBlobType(head)) throw new HostError('unsupported_type', `${basename(file)} is not a PDF, JPEG, PNG or TIFF file`);
    const id = randomBytes(12).toString('base64url');
    this.picked.set(id, file);
    if (this.picked.size > MAX_PICKED) this.picked.delete(this.picked.keys().next().value!);
    return { id, name: basename(file) };
  }

  /** The folder dialog for the scanner's folder; null when cancelled. */
  async pickFolder(): Promise<{ folder: string } | null> {
    const folder = await this.dialogs().openFolder();
    if (!folder) return null;
    const parsed = IntakeFolder.safeParse(folder);
    if (!parsed.success) throw new HostError('validation', `the chosen folder is not usable: ${parsed.error.issues[0]?.message}`);
    return { folder: parsed.data };
  }

  /** Files bytes as a document of `tenant`; the upload goes on in the background. */
  async add(tenant: string, source: DocumentSource, attach?: Attachment): Promise<DocumentRecord> {
    const { file, name, cleanup, intakeId } = await this.resolve(source);
    try {
      let queued: { sha256: string; size: number; mime: BlobType };
      try {
        queued = await this.deps.uploader.enqueue(file, tenant);
      } catch (error) {
        throw asHostError(error);
      }
      const id = randomUUID();
      this.deps.store.write(() =>
        this.deps.store.writer.insertLocal('document', id, tenant, {
          blob_sha256: queued.sha256,
          name,
          mime: queued.mime,
          size: queued.size,
          attached_table: attach?.table ?? null,
          attached_id: attach?.id ?? null,
        }),
      );
      this.deps.log?.info('document filed', { id, tenant, sha256: queued.sha256, size: queued.size, from: source.from });
      if (intakeId) await this.deps.intake?.filed(intakeId);
      if (source.from === 'picked') this.picked.delete(source.id);
      return this.get(id);
    } finally {
      await cleanup();
    }
  }

  list(attach: Attachment): DocumentRecord[] {
    const rows = this.deps.store.db
      .prepare(
        `SELECT ${COLUMNS} FROM document
          WHERE attached_table = ? AND attached_id = ? AND _deleted = 0 AND blob_sha256 IS NOT NULL
          ORDER BY name, id`,
      )
      .all(attach.table, attach.id) as DocumentRow[];
    return rows.map((row) => this.toRecord(row));
  }

  get(id: string): DocumentRecord {
    return this.toRecord(this.row(id));
  }

  /** The bytes: from the cache, else downloaded now (and checked against the hash) and cached. */
  async read(id: string): Promise<{ mime: BlobType; bytes: Buffer }> {
    const record = this.get(id);
    return { mime: record.mime, bytes: await readFile(await this.open(record.blob_sha256)) };
  }

  /** "Kopie speichern": false when the user cancelled the dialog. */
  async saveCopy(id: string): Promise<boolean> {
    const record = this.get(id);
    const target = await this.dialogs().saveFile(record.name);
    if (!target) return false;
    await copyFile(await this.open(record.blob_sha256), target);
    this.deps.log?.info('document copy saved', { id });
    return true;
  }

  /** A tombstone, synced; the server drops the bytes when no record refers to them any more. */
  remove(id: string): void {
    const row = this.row(id);
    this.deps.store.write(() => this.deps.store.writer.writeLocal('document', id, row.tenant_id, { _deleted: true }));
    this.deps.log?.info('document removed', { id, tenant: row.tenant_id });
  }

  private async open(sha256: string): Promise<string> {
    try {
      return await this.deps.cache.open(sha256);
    } catch (error) {
      throw asHostError(error);
    }
  }

  private dialogs(): DocumentDialogPort {
    if (!this.deps.dialogs) throw new HostError('dialog_unavailable', 'this host has no file dialog; drop the file instead');
    return this.deps.dialogs;
  }

  private async resolve(
    source: DocumentSource,
  ): Promise<{ file: string; name: string; cleanup: () => Promise<void>; intakeId?: string }> {
    const none = async () => {};
    switch (source.from) {
      case 'intake': {
        if (!this.deps.intake) throw new HostError('not_configured', 'no intake folder is set');
        const file = this.deps.intake.pathOf(source.id);
        return { file, name: basename(file), cleanup: none, intakeId: source.id };
      }
      case 'bytes': {
        const bytes = Buffer.from(source.base64, 'base64');
        if (!sniffBlobType(bytes.subarray(0, 8))) {
          throw new HostError('unsupported_type', `${source.name} is not a PDF, JPEG, PNG or TIFF file`);
        }
        const file = join(this.deps.cache.dir, 'tmp', `drop-${randomBytes(8).toString('hex')}`);
        await writeFile(file, bytes);
        return { file, name: source.name, cleanup: () => rm(file, { force: true }) };
      }
      case 'picked': {
        const file = this.picked.get(source.id);
        if (!file) throw new HostError('not_found', 'the picked file is no longer known; pick it again');
        return { file, name: basename(file), cleanup: none };
      }
      case 'dialog': {
        const file = await this.dialogs().openFile();
        if (!file) throw new HostError('not_found', 'no file was chosen');
        return { file, name: basename(file), cleanup: none };
      }
    }
  }

  private row(id: string): DocumentRow {
    const row = this.deps.store.db
      .prepare(`SELECT ${COLUMNS} FROM document WHERE id = ? AND _deleted = 0 AND blob_sha256 IS NOT NULL`)
      .get(id) as DocumentRow | undefined;
    if (!row) throw new HostError('not_found', `no document ${id}`);
    return row;
  }

  private toRecord(row: DocumentRow): DocumentRecord {
    const sha256 = row.blob_sha256!;
    const upload = this.deps.uploader.state(sha256);
    const mime = (['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const).find((m) => m === row.mime);
    return {
      id: row.id,
      tenant: row.tenant_id,
      blob_sha256: sha256,
      name: row.name ?? 'Dokument',
      mime: mime ?? 'application/pdf',
      size: Number(row.size ?? 0),
      attached_table: row.attached_table,
      attached_id: row.attached_id,
      cached: this.deps.cache.has(sha256),
      uploading: upload.uploading,
      upload_error: upload.error,
    };
  }
}

/** Refusals keep their code (the UI says why in German); the network's absence reads as `unavailable`. */
function asHostError(error: unknown): unknown {
  if (error instanceof BlobError) return new HostError(error.code, error.message);
  if (error instanceof SyncRequestError) {
    switch (error.code) {
      case 'blob_forbidden':
      case 'blob_not_found':
      case 'unsupported_type':
      case 'blob_too_large':
        return new HostError(error.code, error.message);
      case 'forbidden_tenant':
        return new HostError('blob_forbidden', error.message);
      case 'no_identity':
        return new HostError('not_configured', error.message);
      default:
        return new HostError('unavailable', `the server cannot be reached: ${error.message}`);
    }
  }
  return error;
}
