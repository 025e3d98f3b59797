import { BrowserWindow, dialog } from 'electron';
import type { DocumentDialogPort } from '../core/documents/dialog-port.js';

/** Electron's native open and save dialogs for documents, attached to the focused window. */
export function electronDocumentDialogs(): DocumentDialogPort {
  const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  return {
    openFile: async () => {
      const options: Electron.OpenDialogOptions = {
        properties: ['openFile'],
        filters: [{ name: 'PDF und Bilder', extensions: ['pdf', 'jpg', 'jpeg', 'png', 'tif', 'tiff'] }],
      };
      const window = parent();
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    openFolder: async () => {
      const options: Electron.OpenDialogOptions = { properties: ['openDirectory', 'createDirectory'] };
      const window = parent();
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    saveFile: async (defaultName) => {
      const options: Electron.SaveDialogOptions = { defaultPath: defaultName };
      const window = parent();
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled ? undefined : result.filePath;
    },
  };
}
