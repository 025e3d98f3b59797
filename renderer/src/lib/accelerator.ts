/**
 * Electron accelerators ("CommandOrControl+Shift+Space") in the words printed on the user's keyboard:
 * a German keyboard says Strg, Umschalt and Leertaste. Pure, so every place that shows a shortcut
 * agrees with the settings.
 */
export type KeyLanguage = 'de' | 'en';

type Names = Record<string, { de: string; en: string }>;

const MODIFIERS: Names = {
  Control: { de: 'Strg', en: 'Ctrl' },
  Alt: { de: 'Alt', en: 'Alt' },
  AltGr: { de: 'Alt Gr', en: 'AltGr' },
  Shift: { de: 'Umschalt', en: 'Shift' },
  Super: { de: 'Windows', en: 'Super' },
  Command: { de: 'Cmd', en: 'Cmd' },
};

const ALIASES: Record<string, string> = {
  Ctrl: 'Control',
  Cmd: 'Command',
  Option: 'Alt',
  Meta: 'Super',
  Esc: 'Escape',
  Return: 'Enter',
};

const KEYS: Names = {
  Space: { de: 'Leertaste', en: 'Space' },
  Tab: { de: 'Tab', en: 'Tab' },
  Enter: { de: 'Eingabe', en: 'Enter' },
  Backspace: { de: 'Rücktaste', en: 'Backspace' },
  Delete: { de: 'Entf', en: 'Delete' },
  Insert: { de: 'Einfg', en: 'Insert' },
  Home: { de: 'Pos1', en: 'Home' },
  End: { de: 'Ende', en: 'End' },
  PageUp: { de: 'Bild auf', en: 'Page Up' },
  PageDown: { de: 'Bild ab', en: 'Page Down' },
  Up: { de: 'Pfeil hoch', en: 'Up' },
  Down: { de: 'Pfeil runter', en: 'Down' },
  Left: { de: 'Pfeil links', en: 'Left' },
  Right: { de: 'Pfeil rechts', en: 'Right' },
  Escape: { de: 'Esc', en: 'Esc' },
  Plus: { de: '+', en: '+' },
  MediaPlayPause: { de: 'Wiedergabe/Pause', en: 'Play/Pause' },
  MediaStop: { de: 'Stopp', en: 'Stop' },
  MediaNextTrack: { de: 'Nächster Titel', en: 'Next Track' },
  MediaPreviousTrack: { de: 'Vorheriger Titel', en: 'Previous Track' },
};

/**
 * `mac`: CommandOrControl is the Command key there and Control everywhere else, as Electron binds it.
 * Parts this table does not know (letters, digits, F-keys) are shown as written.
 */
export function formatAccelerator(accelerator: string, language: KeyLanguage, mac = false): string {
  if (accelerator.trim() === '') return '';
  return accelerator
    .split('+')
    .map((part) => {
      const name = part === 'CommandOrControl' || part === 'CmdOrCtrl' ? (mac ? 'Command' : 'Control') : (ALIASES[part] ?? part);
      const names = MODIFIERS[name] ?? KEYS[name];
      return names ? names[language] : name;
    })
    .join('+');
}
