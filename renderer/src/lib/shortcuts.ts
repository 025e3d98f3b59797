/**
 * Every key the desk binds, in one table: the "?" overlay lists it, and a unit test holds it against
 * the keys the screens announce (aria-keyshortcuts), so neither can change without the other.
 * `keys` are as a German keyboard prints them; `what` is a message key.
 */
export interface Shortcut {
  keys: string;
  what: string;
  group: 'app' | 'lists' | 'call';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', what: 'help.showHelp', group: 'app' },
  { keys: 'Alt+1 … Alt+9', what: 'help.navigate', group: 'app' },
  { keys: '/', what: 'help.search', group: 'app' },
  { keys: 'Esc', what: 'help.close', group: 'app' },
  { keys: 'Tab', what: 'help.tab', group: 'app' },
  { keys: '↑ ↓ Pos1 Ende', what: 'help.moveInList', group: 'lists' },
  { keys: 'Enter', what: 'help.open', group: 'lists' },
  { keys: 'n', what: 'help.newContact', group: 'lists' },
  { keys: 'e', what: 'help.editContact', group: 'lists' },
  { keys: 'Alt+A', what: 'help.call.answer', group: 'call' },
  { keys: 'Alt+E', what: 'help.call.end', group: 'call' },
  { keys: 'Alt+H', what: 'help.call.hold', group: 'call' },
  { keys: 'Alt+M', what: 'help.call.mute', group: 'call' },
  { keys: 'Alt+T', what: 'help.call.transfer', group: 'call' },
  { keys: 'Alt+K', what: 'help.call.mobile', group: 'call' },
  { keys: 'Alt+V', what: 'help.call.connect', group: 'call' },
  { keys: 'Alt+Z', what: 'help.call.back', group: 'call' },
  { keys: 'Alt+B', what: 'help.call.book', group: 'call' },
  { keys: 'Alt+N', what: 'help.call.note', group: 'call' },
];

/** The single keys a table row stands for: "Alt+1 … Alt+7" → Alt+1 … Alt+7, "↑ ↓ Pos1 Ende" → four. */
export function boundKeys(shortcut: Shortcut): string[] {
  const range = /^Alt\+(\d) … Alt\+(\d)$/.exec(shortcut.keys);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    return Array.from({ length: to - from + 1 }, (_, i) => `Alt+${from + i}`);
  }
  return shortcut.keys === '↑ ↓ Pos1 Ende' ? ['↑', '↓', 'Pos1', 'Ende'] : [shortcut.keys];
}
