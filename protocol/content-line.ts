/**
 * Text content lines as vCard (RFC 6350 §3.2–3.4) and iCalendar (RFC 5545 §3.1, §3.3.11) write them:
 * both formats share the escaping of TEXT values and the folding of long lines, so one writer serves
 * the contact export and the appointment export alike.
 */
import { stripUnsafeText } from './text-values.js';

/**
 * Escapes a TEXT value: backslash, comma, semicolon and every kind of line break. Characters neither format
 * can carry (controls, unpaired surrogates) are dropped: values that arrived from elsewhere (an older client,
 * the directory) can hold them, and the app refuses to write them itself.
 */
export function escapeText(value: string): string {
  return stripUnsafeText(value)
    .replace(/\\/g, '\\\\')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;');
}

/** Octets of one code point in UTF-8 (a lone surrogate is written as U+FFFD, three octets). */
function utf8Octets(char: string): number {
  const cp = char.codePointAt(0) ?? 0;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Folds a content line after 75 octets without splitting a UTF-8 character; continuation lines
 * start with a space, which counts towards their 75.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const char of line) {
    const size = utf8Octets(char);
    const limit = out.length === 0 ? 75 : 74;
    if (bytes + size > limit) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** Content lines joined with CRLF, each folded, ending in CRLF, as both formats require. */
export function writeContentLines(lines: readonly string[]): string {
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
