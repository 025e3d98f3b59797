import { HostError, type BlobType } from '../../../protocol/index.js';
import { call } from '../lib/host/client.js';
import { reportError } from './errors.svelte.js';

/** What the viewer shows: a filed document (save a copy possible) or a scan still in the intake. */
export type ViewerSource = { kind: 'document'; id: string } | { kind: 'intake'; id: string };

/**
 * The bytes of the document on screen. They come from the host as base64 (`documents.read`,
 * `intake.read`) — the renderer never sees a host path or a file:// URL.
 */
interface ViewerState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  source: ViewerSource | null;
  mime: BlobType | null;
  base64: string;
  /** The error code shown in the viewer (e.g. `blob_not_found` while the upload is still on its way). */
  error: string | null;
}

export const viewerState = $state<ViewerState>({ status: 'idle', source: null, mime: null, base64: '', error: null });

let generation = 0;

/** A document filed a moment ago may still be on its way to the server: asked again, this often. */
const NOT_YET_RETRIES = 20;
const NOT_YET_DELAY_MS = 1500;

export async function showDocument(source: ViewerSource): Promise<void> {
  const mine = ++generation;
  viewerState.source = source;
  viewerState.status = 'loading';
  viewerState.error = null;
  for (let attempt = 1; ; attempt++) {
    const code = await load(source, mine);
    if (code !== 'blob_not_found' || attempt >= NOT_YET_RETRIES || mine !== generation) return;
    await new Promise((resolve) => setTimeout(resolve, NOT_YET_DELAY_MS));
    if (mine !== generation) return;
  }
}

/** One attempt; answers the error code it showed, if any. */
async function load(source: ViewerSource, mine: number): Promise<string | undefined> {
  try {
    const { mime, base64 } =
      source.kind === 'document' ? await call('documents.read', { id: source.id }) : await call('intake.read', { id: source.id });
    if (mine !== generation) return undefined;
    viewerState.mime = mime;
    viewerState.base64 = base64;
    viewerState.status = 'ready';
    return undefined;
  } catch (error) {
    if (mine !== generation) return undefined;
    viewerState.status = 'error';
    viewerState.error = error instanceof HostError ? error.code : 'internal';
    viewerState.base64 = '';
    return viewerState.error;
  }
}

export function closeDocument(): void {
  generation++;
  viewerState.status = 'idle';
  viewerState.source = null;
  viewerState.base64 = '';
  viewerState.mime = null;
  viewerState.error = null;
}

/** "Kopie speichern": the host's save dialog for a filed document. */
export async function saveCopy(): Promise<void> {
  const source = viewerState.source;
  if (source?.kind !== 'document') return;
  try {
    await call('documents.saveCopy', { id: source.id });
  } catch (error) {
    reportError(error, 'documents.saveCopy');
  }
}
