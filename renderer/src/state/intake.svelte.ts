import { HostError, type IntakeFile, type MailItem, type MailItemCreate } from '../../../protocol/index.js';
import { call, on, shellKind } from '../lib/host/client.js';
import { bytesToBase64 } from '../lib/documents/pdf.js';
import { reportError } from './errors.svelte.js';
import { closeDocument, showDocument } from './document-viewer.svelte.js';
import { refreshRegister } from './mail-register.svelte.js';

/** Where the file of the item being filed comes from. */
export type IntakePick =
  | { from: 'intake'; id: string; name: string }
  | { from: 'bytes'; name: string; base64: string }
  | { from: 'picked'; id: string; name: string };

/**
 * "Posteingang erfassen": the scanner folder's files (live via `intake.changed`), the one being filed
 * and its preview. A file dropped onto the window or picked in the dialog is filed the same way.
 */
interface IntakeState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  files: IntakeFile[];
  selected: IntakePick | null;
  filing: boolean;
  /** The sender of the item filed last, for the confirmation line. */
  lastFiled: string;
}

export const intakeState = $state<IntakeState>({ status: 'idle', files: [], selected: null, filing: false, lastFiled: '' });

let following = false;

export async function followIntake(): Promise<void> {
  if (!following) {
    following = true;
    on('intake.changed', (files) => {
      intakeState.files = files;
      intakeState.status = 'ready';
      const selected = intakeState.selected;
      // A file filed or dismissed at another desk of the office leaves the form too.
      if (selected?.from === 'intake' && !files.some((file) => file.id === selected.id)) unselect();
    });
  }
  if (intakeState.files.length === 0) intakeState.status = 'loading';
  try {
    intakeState.files = await call('intake.list');
    intakeState.status = 'ready';
  } catch (error) {
    intakeState.status = 'error';
    reportError(error, 'intake.list');
  }
}

export function selectIntakeFile(file: IntakeFile): void {
  intakeState.selected = { from: 'intake', id: file.id, name: file.name };
  void showDocument({ kind: 'intake', id: file.id });
}

/**
 * A file dropped onto the window: read here, filed as bytes. It is not previewed (nothing of it is
 * on the host yet); the type is checked by its content when it is filed.
 */
export async function selectDroppedFile(file: File): Promise<void> {
  try {
    const base64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
    closeDocument();
    intakeState.selected = { from: 'bytes', name: file.name, base64 };
  } catch (error) {
    reportError(error, 'intake.drop');
  }
}

/**
 * "Datei wählen": the host's dialog opens now, before anything is registered, so a cancelled dialog
 * or a file of the wrong type leaves no letter without its scan; cancelled keeps the selection as it
 * was. The browser shell has none; the file is dropped onto the window instead.
 */
export async function selectDialog(): Promise<void> {
  if (shellKind === 'browser') {
    reportError(new HostError('dialog_unavailable', 'the browser shell has no file dialog'), 'intake.dialog');
    return;
  }
  try {
    const picked = await call('documents.pick');
    if (!picked) return;
    closeDocument();
    intakeState.selected = { from: 'picked', id: picked.id, name: picked.name };
  } catch (error) {
    reportError(error, 'documents.pick');
  }
}

export function unselect(): void {
  intakeState.selected = null;
  closeDocument();
}

/**
 * Files the selected file: registers the item, attaches the file as its scan and moves it on to
 * `gescannt`. The file is chosen (and its type checked) before, so filing asks nothing more; should
 * the attachment still fail (the disk, the cache), the registered letter stays for the office to
 * attach the right scan to, never a scan without a letter.
 */
export async function fileIntake(create: MailItemCreate): Promise<MailItem | undefined> {
  const selected = intakeState.selected;
  if (!selected || intakeState.filing) return undefined;
  intakeState.filing = true;
  try {
    const item = await call('mail.register', create);
    const source =
      selected.from === 'intake'
        ? { from: 'intake' as const, id: selected.id }
        : selected.from === 'bytes'
          ? { from: 'bytes' as const, name: selected.name, base64: selected.base64 }
          : { from: 'picked' as const, id: selected.id };
    try {
      await call('documents.add', { tenant: create.tenant, source, attach: { table: 'mail_item', id: item.id } });
    } catch (error) {
      reportError(error, 'documents.add');
      void refreshRegister();
      return item;
    }
    const scanned = await call('mail.advance', { id: item.id, status: 'gescannt' });
    intakeState.lastFiled = scanned.sender;
    unselect();
    void refreshRegister();
    return scanned;
  } catch (error) {
    reportError(error, 'intake.file');
    return undefined;
  } finally {
    intakeState.filing = false;
  }
}

export async function dismissIntake(id: string): Promise<void> {
  try {
    await call('intake.dismiss', { id });
    if (intakeState.selected?.from === 'intake' && intakeState.selected.id === id) unselect();
  } catch (error) {
    reportError(error, 'intake.dismiss');
  }
}
