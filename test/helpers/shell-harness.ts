/**
 * Pieces every test of the wired main process (electron/main/index.ts against fake-electron.ts)
 * needs: the OS it pretends to run on, the resources folder electron-builder would have written,
 * and an IPC caller that speaks as the app's own frame.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IPC_INVOKE } from '../../protocol/index.js';
import type { FakeBrowserWindow, FakeElectron, FakePlatform } from './fake-electron.js';

export interface IpcResult {
  ok: boolean;
  value?: unknown;
  error?: { code: string; field?: string };
}

/** Makes process.platform answer `platform` until the returned function restores it. */
export function pretendPlatform(platform: FakePlatform): () => void {
  const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
  return () => Object.defineProperty(process, 'platform', original);
}

/**
 * A resources folder as electron-builder leaves it (process.resourcesPath): `app-update.yml` for
 * targets that update themselves (not the MSI), `package-type` for deb/rpm (FpmTarget).
 */
export function pretendResources(files: { appUpdate: boolean; packageType?: string }): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-resources-'));
  mkdirSync(dir, { recursive: true });
  if (files.appUpdate) writeFileSync(join(dir, 'app-update.yml'), 'provider: generic\nurl: https://updates.invalid/\n');
  if (files.packageType) writeFileSync(join(dir, 'package-type'), files.packageType);
  const original = Object.getOwnPropertyDescriptor(process, 'resourcesPath');
  Object.defineProperty(process, 'resourcesPath', { value: dir, configurable: true, writable: true });
  return () => {
    if (original) Object.defineProperty(process, 'resourcesPath', original);
    else delete (process as { resourcesPath?: string }).resourcesPath;
  };
}

export function ipcCaller(fake: FakeElectron, window: () => FakeBrowserWindow) {
  return (method: string, input?: unknown) =>
    fake.ipcMain.invoke(
      IPC_INVOKE,
      { sender: window().webContents, senderFrame: window().webContents.mainFrame },
      { method, input },
    ) as Promise<IpcResult>;
}

/** Asks the app's session for a permission the way Chromium does, and waits for the answer. */
export function askPermission(fake: FakeElectron, permission: string, details: Record<string, unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    fake.session.defaultSession.permissionRequest!(null, permission, resolve, details);
  });
}
