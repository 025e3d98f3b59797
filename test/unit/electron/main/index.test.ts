import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE } from '../../../../protocol/index.js';
import { createFakeElectron, FakeBrowserWindow, FakeFrame } from '../../../helpers/fake-electron.js';

const fake = createFakeElectron(mkdtempSync(join(tmpdir(), 'vermittlung-main-')));
vi.mock('electron', () => fake);

describe('electron main process wiring (fake electron module)', () => {
  let window: FakeBrowserWindow;

  beforeAll(async () => {
    await import('../../../../electron/main/index.js');
    fake.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.all).toHaveLength(1));
    window = FakeBrowserWindow.all[0]!;
  });

  it('enables the sandbox for every renderer before anything else', () => {
    expect(fake.calls[0]).toBe('enableSandbox');
  });

  it('creates the window with locked-down webPreferences and loads app://, not file://', () => {
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
    expect(window.loadedUrl).toBe('app://vermittlung/index.html');
  });

  it('registers app:// as a secure standard scheme and serves it with the CSP', async () => {
    expect(fake.protocol.schemes).toEqual([expect.objectContaining({ scheme: 'app' })]);
    const handler = fake.protocol.handlers.get('app')!;
    const response = (await handler(new Request('app://vermittlung/../../etc/passwd'))) as Response;
    expect(response.status).toBe(404);
  });

  it('blocks navigation away from the app and opens allowed external links in the OS only', () => {
    const contents = window.webContents;
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.attempt('will-navigate', 'app://vermittlung/index.html#/team')).toBe(false);
    expect(contents.attempt('will-attach-webview')).toBe(true);
    expect(contents.windowOpenHandler!({ url: 'https://example.org/help' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://example.org/help']);
  });

  it('answers IPC from the app frame and refuses foreign senders without running the method', async () => {
    const own = window.webContents;
    const ok = await fake.ipcMain.invoke(IPC_INVOKE, { sender: own, senderFrame: own.mainFrame }, { method: 'app.info' });
    expect(ok).toMatchObject({ ok: true, value: { shell: 'electron', version: '9.9.9' } });

    const foreignFrame = new FakeFrame('https://evil.example/');
    const foreign = await fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: { mainFrame: foreignFrame }, senderFrame: foreignFrame },
      { method: 'settings.set', input: { language: 'en' } },
    );
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const subframe = new FakeFrame('app://vermittlung/index.html');
    const fromSubframe = await fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: own, senderFrame: subframe },
      { method: 'settings.set', input: { language: 'en' } },
    );
    expect(fromSubframe).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const settings = await fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: own, senderFrame: own.mainFrame },
      { method: 'settings.get' },
    );
    expect(settings).toMatchObject({ ok: true, value: { language: 'de' } });
  });

  it('validates IPC input against protocol/ and names the offending field', async () => {
    const own = window.webContents;
    const bad = await fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: own, senderFrame: own.mainFrame },
      { method: 'settings.set', input: { language: 'fr' } },
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'input.language' } });
    const envelope = await fake.ipcMain.invoke(IPC_INVOKE, { sender: own, senderFrame: own.mainFrame }, 'not an object');
    expect(envelope).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('grants only audio capture, speaker selection and notifications, and only to the app origin', () => {
    const session = fake.session.defaultSession;
    const ask = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      session.permissionRequest!(null, permission, (value: boolean) => (granted = value), details);
      return granted;
    };
    expect(ask('media', { requestingUrl: 'app://vermittlung/index.html', mediaTypes: ['audio'] })).toBe(true);
    expect(ask('media', { requestingUrl: 'app://vermittlung/index.html', mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] })).toBe(false);
    expect(ask('geolocation', { requestingUrl: 'app://vermittlung/index.html' })).toBe(false);
    expect(ask('openExternal', { requestingUrl: 'app://vermittlung/index.html' })).toBe(false);
    expect(session.permissionCheck!(null, 'media', 'https://evil.example')).toBe(false);
  });

  it('pushes host events to the windows', async () => {
    const own = window.webContents;
    await fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: own, senderFrame: own.mainFrame },
      { method: 'settings.set', input: { theme: 'dark' } },
    );
    expect(own.sent.at(-1)).toMatchObject({ channel: 'vermittlung:event', payload: { event: 'settings.changed' } });
  });
});
