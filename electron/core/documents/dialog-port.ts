/**
 * The host's file dialogs (Electron's `dialog`, electron/main/document-dialogs.ts). The chosen path
 * stays in the core: the renderer only learns whether a file was opened or saved.
 */
export interface DocumentDialogPort {
  /** A PDF or image the user picked, or undefined when cancelled. */
  openFile(): Promise<string | undefined>;
  /** A folder the user picked (the scanner's), or undefined when cancelled. */
  openFolder(): Promise<string | undefined>;
  /** Where to save a copy, proposing `defaultName`; undefined when cancelled. */
  saveFile(defaultName: string): Promise<string | undefined>;
}
