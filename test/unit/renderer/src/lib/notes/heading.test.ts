import { describe, expect, it } from 'vitest';
import { noteHeading } from '../../../../../../renderer/src/lib/notes/heading.js';

describe('a message heading', () => {
  it('is the subject, else the concern’s first line, never empty text', () => {
    expect(noteHeading({ subject: ' Fenster klemmt ', body: 'egal' })).toBe('Fenster klemmt');
    expect(noteHeading({ subject: '', body: 'Angebot schicken\nFrau Meier' })).toBe('Angebot schicken');
    expect(noteHeading({ subject: null, body: '   ' })).toBeUndefined();
    const long = 'x'.repeat(200);
    expect(noteHeading({ subject: null, body: long })).toBe(`${'x'.repeat(79)}…`);
  });
});
