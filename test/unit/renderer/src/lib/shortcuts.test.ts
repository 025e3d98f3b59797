import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import de from '../../../../../renderer/src/lib/i18n/messages/de.json' with { type: 'json' };
import en from '../../../../../renderer/src/lib/i18n/messages/en.json' with { type: 'json' };
import { boundKeys, SHORTCUTS } from '../../../../../renderer/src/lib/shortcuts.js';
import { REPO_ROOT } from '../../../../helpers/repo-root.js';

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return svelteFiles(path);
    return name.endsWith('.svelte') ? [path] : [];
  });
}

function message(messages: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
}

const listed = new Set(SHORTCUTS.flatMap(boundKeys));

describe('the shortcut table', () => {
  it('lists every key a screen announces (aria-keyshortcuts)', () => {
    const announced = svelteFiles(join(REPO_ROOT, 'renderer', 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/aria-keyshortcuts="([^"{]+)"/g)].flatMap((match) => match[1]!.split(' ')),
    );
    expect(announced.length).toBeGreaterThan(5);
    expect([...new Set(announced)].filter((key) => !listed.has(key))).toEqual([]);
  });

  it('lists every screen Alt+1 … Alt+9 reaches and the in-call keys', () => {
    for (const key of [
      'Alt+1',
      'Alt+7',
      'Alt+8',
      'Alt+9',
      '?',
      '/',
      'Alt+A',
      'Alt+E',
      'Alt+H',
      'Alt+M',
      'Alt+T',
      'Alt+K',
      'Alt+B',
      'Alt+N',
    ]) {
      expect(listed).toContain(key);
    }
  });

  it('has a German and an English text for every row and group', () => {
    for (const messages of [de, en]) {
      for (const shortcut of SHORTCUTS) {
        expect(typeof message(messages, shortcut.what), shortcut.what).toBe('string');
        expect(typeof message(messages, `help.groups.${shortcut.group}`)).toBe('string');
      }
    }
  });
});
