/**
 * Which text values can be stored and passed on faithfully (docs/sync-protocol.md, "Values").
 *
 * Two levels. What the sync server refuses (`findUnstorable`): the characters PostgreSQL's JSON
 * cannot hold — U+0000 and UTF-16 surrogates without their partner; a value with one of them
 * would fail inside the database, after validation. What the app's own write path refuses
 * (`findUnsafeText`, stricter): additionally the control characters that vCard, iCalendar and XML
 * (presence notes) cannot carry — C0 controls other than tab, line feed and carriage return, DEL,
 * and the noncharacters U+FFFE/U+FFFF — so every value the app writes survives every export.
 */

/** Sync API error codes for values the server cannot store (HTTP 400, `item` names the field). */
export const UNSTORABLE_CODES = ['nul_character', 'unpaired_surrogate'] as const;
export type UnstorableCode = (typeof UNSTORABLE_CODES)[number];
/** Sync API error code for a request body that is not valid UTF-8 (HTTP 400, no `item`). */
export const INVALID_UTF8_CODE = 'invalid_utf8';

export type UnsafeTextReason = UnstorableCode | 'control_character';

export interface TextFault {
  reason: UnsafeTextReason;
  /** UTF-16 index of the offending unit in the string. */
  index: number;
  /** The offending code unit. */
  unit: number;
}

function scan(text: string, strict: boolean): TextFault | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return { reason: 'nul_character', index: i, unit };
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { reason: 'unpaired_surrogate', index: i, unit };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { reason: 'unpaired_surrogate', index: i, unit };
    if (strict && isForbiddenControl(unit)) return { reason: 'control_character', index: i, unit };
  }
  return undefined;
}

/** C0 controls except HT, LF, CR; DEL; U+FFFE and U+FFFF. */
function isForbiddenControl(unit: number): boolean {
  return (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) || unit === 0x7f || unit === 0xfffe || unit === 0xffff;
}

function firstFault(value: unknown, strict: boolean): TextFault | undefined {
  if (typeof value === 'string') return scan(value, strict);
  if (Array.isArray(value)) {
    for (const item of value) {
      const fault = firstFault(item, strict);
      if (fault) return fault;
    }
  }
  return undefined;
}

/** The first character of a field value (string or array of strings) the sync database cannot store. */
export function findUnstorable(value: unknown): (TextFault & { reason: UnstorableCode }) | undefined {
  return firstFault(value, false) as (TextFault & { reason: UnstorableCode }) | undefined;
}

/** The first character of a value the app refuses to write (see the module comment). */
export function findUnsafeText(value: unknown): TextFault | undefined {
  return firstFault(value, true);
}

/** `U+0000 at index 5`, for English log and error messages. */
export function describeFault(fault: TextFault): string {
  const name =
    fault.reason === 'nul_character'
      ? 'NUL character'
      : fault.reason === 'unpaired_surrogate'
        ? 'unpaired UTF-16 surrogate'
        : 'control character';
  return `${name} U+${fault.unit.toString(16).toUpperCase().padStart(4, '0')} at index ${fault.index}`;
}

/**
 * CR LF and lone CR become LF: vCard and iCalendar know one line break only (`\n`), so a text with
 * CR could not come back from an export as it went in. Applied where text enters the app (host
 * API, imports), as a browser's text area does anyway.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * Removes what the app's write path refuses (`findUnsafeText`): for exports and feeds of values
 * that arrived from elsewhere (an older client, the directory), which cannot be refused any more
 * and would otherwise make the whole document invalid.
 */
export function stripUnsafeText(text: string): string {
  return strip(text, true);
}

/**
 * Removes what XML 1.0 and UTF-8 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, unpaired
 * surrogates): for documents built from values that arrived from elsewhere (the directory, a peer),
 * where refusing is not possible and an unparseable document would lose everything it says.
 */
export function stripXmlForbidden(text: string): string {
  return strip(text, false);
}

/** `withDel`: also DEL (iCalendar's CONTROL class has it; XML 1.0 allows it). */
function strip(text: string, withDel: boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const high = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(i + 1);
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    const forbidden = high || (unit >= 0xdc00 && unit <= 0xdfff) || ((withDel || unit !== 0x7f) && isForbiddenControl(unit));
    if (!forbidden) continue;
    out += text.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
