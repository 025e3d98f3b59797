import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, writeContentLines } from '../../../protocol/content-line.js';

const octets = (s: string) => new TextEncoder().encode(s).length;

describe('content lines (vCard and iCalendar)', () => {
  it('escapes backslash, comma, semicolon and every line break', () => {
    expect(escapeText('a\\b,c;d\r\ne\rf\ng')).toBe('a\\\\b\\,c\\;d\\ne\\nf\\ng');
  });

  it('folds after 75 octets, continuation lines counting their leading space', () => {
    const folded = foldLine('x'.repeat(200));
    const parts = folded.split('\r\n');
    expect(parts.map(octets)).toEqual([75, 75, 52]);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe('x'.repeat(200));
  });

  it('never splits a multi-byte character across lines', () => {
    const text = 'ä'.repeat(50) + '😀'.repeat(30);
    const parts = foldLine(text).split('\r\n');
    for (const part of parts) expect(octets(part)).toBeLessThanOrEqual(75);
    // each piece decodes on its own: no lone half of a surrogate pair or a UTF-8 sequence
    for (const part of parts) expect(part).toBe(new TextDecoder().decode(new TextEncoder().encode(part)));
    expect(foldLine(text).replace(/\r\n /g, '')).toBe(text);
  });

  it('leaves a short line alone and ends the whole text in CRLF', () => {
    expect(foldLine('BEGIN:VCARD')).toBe('BEGIN:VCARD');
    expect(writeContentLines(['A:1', 'B:2'])).toBe('A:1\r\nB:2\r\n');
  });
});
