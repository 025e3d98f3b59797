import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { HostError, SNIFF_BYTES, sniffBlobType, type IntakeFile } from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';

/** Where filed and dismissed scans go, inside the watched folder (the scanner's own files stay put). */
export const FILED_DIR = 'abgelegt';
export const DISMISSED_DIR = 'verworfen';

export interface IntakeWatcherOptions {
  /** The watched folder; undefined or '' = no intake. Read again on every rescan. */
  folder: () => string | undefined;
  onChange: (files: IntakeFile[]) => void;
  log?: Logger;
  /** A file counts as written once its size and time have not changed for this long. */
  stableMs?: number;
  /** A full rescan even without a watch event: network shares and some scanners send none. */
  rescanMs?: number;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** When size and mtime were last seen to change. */
  since: number;
}

/**
 * The scanner's folder: every PDF or image (by its first bytes, not its name) that has finished
 * being written is an intake file, named by an opaque id (a hash of its path), so the renderer
 * never sees a path. Anything else is logged once as refused and left where it is.
 */
export class IntakeWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchedFolder: string | undefined;
  private readonly seen = new Map<string, Seen>();
  private readonly refused = new Set<string>();
  private files = new Map<string, IntakeFile & { path: string }>();
  private scanning: Promise<void> | undefined;
  private again = false;
  private readonly stableMs: number;
  private readonly rescanMs: number;

  constructor(private readonly options: IntakeWatcherOptions) {
    this.stableMs = options.stableMs ?? 1500;
    this.rescanMs = options.rescanMs ?? 2000;
  }

  /** Starts watching (again, e.g. after the folder setting changed). */
  start(): void {
    this.stop();
    const folder = this.options.folder() || undefined;
    this.watchedFolder = folder;
    if (folder) {
      try {
        this.watcher = watch(folder, () => this.rescanSoon());
        this.watcher.on('error', (error) => this.options.log?.warn('intake folder watch failed', { reason: error.message }));
      } catch (error) {
        // A folder that is not there yet (a share not mounted): the rescan finds it when it comes.
        this.options.log?.warn('intake folder cannot be watched', { folder, reason: (error as Error).message });
      }
    }
    this.timer = setInterval(() => this.rescanSoon(), Math.min(this.rescanMs, this.stableMs));
    this.timer.unref?.();
    this.rescanSoon();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  list(): IntakeFile[] {
    return [...this.files.values()].map(({ path: _path, ...file }) => file).sort((a, b) => a.added_at.localeCompare(b.added_at));
  }

  /** The host path of an intake file (for the document service only; never sent to the renderer). */
  pathOf(id: string): string {
    const file = this.files.get(id);
    if (!file) throw new HostError('not_found', `no intake file ${id}`);
    return file.path;
  }

  async read(id: string): Promise<{ mime: IntakeFile['mime']; bytes: Buffer }> {
    const file = this.files.get(id);
    if (!file) throw new HostError('not_found', `no intake file ${id}`);
    return { mime: file.mime, bytes: await readFile(file.path) };
  }

  /** Moves a filed scan to `abgelegt/`. */
  filed(id: string): Promise<void> {
    return this.moveTo(id, FILED_DIR);
  }

  /** Moves a scan the office does not want to `verworfen/`. */
  dismiss(id: string): Promise<void> {
    return this.moveTo(id, DISMISSED_DIR);
  }

  /** One scan now, however recent the last (tests, and after a move). */
  async rescan(): Promise<void> {
    this.rescanSoon();
    while (this.scanning) await this.scanning;
  }

  private async moveTo(id: string, dir: string): Promise<void> {
    const file = this.files.get(id);
    if (!file) throw new HostError('not_found', `no intake file ${id}`);
    const target = join(file.path, '..', dir);
    await mkdir(target, { recursive: true });
    await rename(file.path, await freeName(target, basename(file.path)));
    this.files.delete(id);
    this.seen.delete(file.path);
    this.options.onChange(this.list());
  }

  private rescanSoon(): void {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.scan()
      .catch((error: unknown) => this.options.log?.warn('intake rescan failed', { reason: String(error) }))
      .finally(() => {
        this.scanning = undefined;
        if (this.again) {
          this.again = false;
          this.rescanSoon();
        }
      });
  }

  private async scan(): Promise<void> {
    const folder = this.options.folder() || undefined;
    if (folder !== this.watchedFolder) return this.start();
    const next = new Map<string, IntakeFile & { path: string }>();
    const entries = folder ? await readdir(folder, { withFileTypes: true }).catch(() => []) : [];
    const now = Date.now();
    const present = new Set<string>();
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const path = join(folder!, entry.name);
      present.add(path);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      const before = this.seen.get(path);
      if (!before || before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
        this.seen.set(path, { size: info.size, mtimeMs: info.mtimeMs, since: now });
        continue; // still being written, or just seen: wait until it stays the same
      }
      if (now - before.since < this.stableMs || info.size === 0) continue;
      const id = intakeId(path);
      const known = this.files.get(id);
      if (known && known.size === info.size) {
        next.set(id, known);
        continue;
      }
      const mime = await sniff(path);
      if (!mime) {
        if (!this.refused.has(path)) {
          this.refused.add(path);
          this.options.log?.warn('intake file refused: not a PDF, JPEG, PNG or TIFF by content', {
            name: entry.name,
            extension: extname(entry.name),
          });
        }
        continue;
      }
      next.set(id, { id, path, name: entry.name, size: info.size, mime, added_at: new Date(info.mtimeMs).toISOString() });
    }
    for (const path of [...this.seen.keys()]) if (!present.has(path)) this.seen.delete(path);
    for (const path of [...this.refused]) if (!present.has(path)) this.refused.delete(path);
    const changed = next.size !== this.files.size || [...next.keys()].some((id) => this.files.get(id) !== next.get(id));
    this.files = next;
    if (changed) this.options.onChange(this.list());
  }
}

/** Opaque and stable: the same file in the same place keeps its id across restarts. */
export function intakeId(path: string): string {
  return createHash('sha256').update(path).digest('base64url').slice(0, 32);
}

async function sniff(path: string): Promise<IntakeFile['mime'] | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniffBlobType(head);
  } finally {
    await handle.close();
  }
}

/** `name`, or `name (2)` … when a scan of the same name was filed before. */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    if (!(await stat(candidate).catch(() => undefined))) return candidate;
  }
}
