import de from '../../renderer/src/lib/i18n/messages/de.json' with { type: 'json' };
import type { Translate } from '../../renderer/src/lib/firm/firm-text.js';

/** The app's German messages with svelte-i18n's {name} interpolation, for the firm-day texts in tests. */
export const germanText: Translate = (key, values = {}) => {
  const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], de);
  if (typeof text !== 'string') throw new Error(`no German message ${key}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
};
