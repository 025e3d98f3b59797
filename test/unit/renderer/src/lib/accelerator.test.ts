import { describe, expect, it } from 'vitest';
import { formatAccelerator } from '../../../../../renderer/src/lib/accelerator.js';

describe('formatAccelerator', () => {
  it('names the default shortcut as a German keyboard prints it', () => {
    expect(formatAccelerator('CommandOrControl+Shift+Space', 'de')).toBe('Strg+Umschalt+Leertaste');
  });

  it('uses English key names in English', () => {
    expect(formatAccelerator('CommandOrControl+Shift+Space', 'en')).toBe('Ctrl+Shift+Space');
  });

  it('makes CommandOrControl the Command key on a Mac, as Electron binds it', () => {
    expect(formatAccelerator('CmdOrCtrl+Alt+A', 'de', true)).toBe('Cmd+Alt+A');
  });

  it('translates aliases and named keys', () => {
    expect(formatAccelerator('Ctrl+Option+Esc', 'de')).toBe('Strg+Alt+Esc');
    expect(formatAccelerator('Control+Shift+PageDown', 'de')).toBe('Strg+Umschalt+Bild ab');
    expect(formatAccelerator('Alt+Return', 'de')).toBe('Alt+Eingabe');
    expect(formatAccelerator('Meta+Delete', 'en')).toBe('Super+Delete');
  });

  it('shows letters, digits and function keys as written', () => {
    expect(formatAccelerator('Alt+Shift+F12', 'de')).toBe('Alt+Umschalt+F12');
    expect(formatAccelerator('Ctrl+7', 'de')).toBe('Strg+7');
  });

  it('gives nothing for an empty accelerator', () => {
    expect(formatAccelerator('', 'de')).toBe('');
  });
});
