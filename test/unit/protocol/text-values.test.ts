import { describe, expect, it } from 'vitest';
import { describeFault, findUnsafeText, findUnstorable, stripXmlForbidden } from '../../../protocol/index.js';

describe('text values', () => {
  it('finds what the sync database cannot store, and only that', () => {
    expect(findUnstorable('a\u0000b')).toEqual({ reason: 'nul_character', index: 1, unit: 0 });
    expect(findUnstorable(['ok', '\ud800x'])).toMatchObject({ reason: 'unpaired_surrogate', index: 0 });
    expect(findUnstorable('x\udc00')).toMatchObject({ reason: 'unpaired_surrogate', index: 1 });
    expect(findUnstorable('\udc00\ud800')).toMatchObject({ reason: 'unpaired_surrogate', index: 0 });
    expect(findUnstorable('end\ud83d')).toMatchObject({ reason: 'unpaired_surrogate', index: 3 });
    for (const fine of ['😀 𝄞', '\u0001\u001f\u007f', '\ufffe', '', 42, null, true, ['a', 'b']])
      expect(findUnstorable(fine)).toBeUndefined();
  });

  it('refuses on the app path also the controls exports cannot carry, but keeps tab and line breaks', () => {
    expect(findUnsafeText('a\u0001')).toEqual({ reason: 'control_character', index: 1, unit: 1 });
    expect(findUnsafeText('\u007f')).toMatchObject({ reason: 'control_character' });
    expect(findUnsafeText('\uffff')).toMatchObject({ reason: 'control_character' });
    expect(findUnsafeText('\u0000')).toMatchObject({ reason: 'nul_character' });
    expect(findUnsafeText('Zeile 1\r\nZeile 2\tTab 😀 \u0085 \u00a0')).toBeUndefined();
    expect(describeFault(findUnsafeText('ab\u001b')!)).toBe('control character U+001B at index 2');
  });

  it('strips what XML cannot carry and nothing else', () => {
    expect(stripXmlForbidden('Sprechzeiten\u0000: Di\u0001 8–12 \ud800😀\udc00\ufffe\t\n\r\u007f')).toBe(
      'Sprechzeiten: Di 8–12 😀\t\n\r\u007f',
    );
    const plain = 'nichts zu tun';
    expect(stripXmlForbidden(plain)).toBe(plain);
  });
});
