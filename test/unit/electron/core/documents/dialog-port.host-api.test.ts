import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../../electron/core/composition.js';
import type { DocumentDialogPort } from '../../../../../electron/core/documents/dialog-port.js';

const ctx = { origin: 'test' };

/** The host's dialogs answering from a script: each call takes the next answer (undefined = cancelled). */
function scriptedDialogs(answers: { file?: (string | undefined)[]; folder?: (string | undefined)[] }) {
  const asked: string[] = [];
  const port: DocumentDialogPort = {
    openFile: () => (asked.push('file'), Promise.resolve(answers.file?.shift())),
    openFolder: () => (asked.push('folder'), Promise.resolve(answers.folder?.shift())),
    saveFile: () => Promise.resolve(undefined),
  };
  return { port, asked };
}

function core(dialogs?: DocumentDialogPort) {
  return createCore({
    profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-dialogs-')),
    appVersion: '1.0.0',
    shell: dialogs ? 'electron' : 'browser',
    ...(dialogs ? { documentDialogs: dialogs } : {}),
  });
}

describe('file and folder dialogs through the host API', () => {
  it('picks the scan before anything is filed: a cancelled dialog files nothing, a wrong type is refused at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-picked-'));
    const pdf = join(dir, 'Brief Amtsgericht.pdf');
    writeFileSync(pdf, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 7), Buffer.from('\n%%EOF\n')]));
    const program = join(dir, 'rechnung.pdf');
    writeFileSync(program, Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(512, 1)]));
    const { port, asked } = scriptedDialogs({ file: [undefined, program, pdf] });
    const c = core(port);
    try {
      const attach = { table: 'mail_item', id: randomUUID() };
      expect(await c.dispatch('documents.pick', undefined, ctx)).toEqual({ ok: true, value: null });
      expect(await c.dispatch('documents.pick', undefined, ctx)).toMatchObject({
        ok: false,
        error: { code: 'unsupported_type' },
      });
      expect(await c.dispatch('documents.list', { attach }, ctx)).toEqual({ ok: true, value: [] });

      const picked = await c.dispatch('documents.pick', undefined, ctx);
      expect(picked).toMatchObject({ ok: true, value: { name: 'Brief Amtsgericht.pdf' } });
      const id = (picked as { value: { id: string } }).value.id;
      expect(id).not.toContain('/'); // opaque, never the path
      const added = await c.dispatch('documents.add', { tenant: 'tischlerei', source: { from: 'picked', id }, attach }, ctx);
      expect(added).toMatchObject({
        ok: true,
        value: { name: 'Brief Amtsgericht.pdf', mime: 'application/pdf', uploading: true },
      });
      // Filing asked no further dialog, and a pick is filed once.
      expect(asked).toEqual(['file', 'file', 'file']);
      expect(
        await c.dispatch('documents.add', { tenant: 'tischlerei', source: { from: 'picked', id }, attach }, ctx),
      ).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect(
        await c.dispatch('documents.add', { tenant: 'tischlerei', source: { from: 'picked', id: '../etc' }, attach }, ctx),
      ).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
    } finally {
      await c.close();
    }
  });

  it('picks the scanner folder: an absolute folder or null when cancelled, anything else refused', async () => {
    const { port, asked } = scriptedDialogs({ folder: ['/srv/scans', undefined, 'scans/relative'] });
    const c = core(port);
    try {
      expect(await c.dispatch('intake.pickFolder', undefined, ctx)).toEqual({ ok: true, value: { folder: '/srv/scans' } });
      expect(await c.dispatch('intake.pickFolder', undefined, ctx)).toEqual({ ok: true, value: null });
      expect(await c.dispatch('intake.pickFolder', undefined, ctx)).toMatchObject({ ok: false, error: { code: 'validation' } });
      expect(await c.dispatch('intake.pickFolder', { folder: '/x' }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
      expect(asked).toEqual(['folder', 'folder', 'folder']);
      // Picking does not set it: the renderer saves it through settings.set, validated again.
      expect(await c.dispatch('settings.get', undefined, ctx)).toMatchObject({ ok: true, value: { intakeFolder: '' } });
    } finally {
      await c.close();
    }
  });

  it('the browser shell has no dialogs: dialog_unavailable for the file and the folder', async () => {
    const c = core();
    try {
      expect(await c.dispatch('documents.pick', undefined, ctx)).toMatchObject({
        ok: false,
        error: { code: 'dialog_unavailable' },
      });
      expect(await c.dispatch('intake.pickFolder', undefined, ctx)).toMatchObject({
        ok: false,
        error: { code: 'dialog_unavailable' },
      });
    } finally {
      await c.close();
    }
  });
});
