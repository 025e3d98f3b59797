/**
 * Search folding. The FTS tokenizer (unicode61, remove_diacritics 2) already maps ü→u and é→e; the
 * German spellings ü→ue, ä→ae, ö→oe, ß→ss are added as a second copy of the text, so `muller`,
 * `mueller` and `Müller` all find "Müller", and "Mueller" is found by `Müller` (the query is
 * expanded the same way).
 */
const GERMAN: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss', ẞ: 'SS' };
const GERMAN_RE = /[äöüÄÖÜßẞ]/g;
// ASCII text is its own NFC form and has nothing to expand (most e-mail addresses, many names).
const NON_ASCII = /[\u0080-\uffff]/;

export function germanExpand(text: string): string {
  return text.replace(GERMAN_RE, (c) => GERMAN[c] ?? c);
}

/** The text to index: as written, plus the expanded spelling when it differs. */
export function foldForIndex(text: string | null | undefined): string {
  if (!text) return '';
  if (!NON_ASCII.test(text)) return text;
  const nfc = text.normalize('NFC');
  const expanded = germanExpand(nfc);
  return expanded === nfc ? nfc : `${nfc} ${expanded}`;
}

const PHONE_QUERY = /^[\d\s+()/.-]+$/;

/**
 * Turns what the user typed into an FTS5 query: every word a prefix, all words required, each word
 * OR its German expansion. Returns null when nothing searchable is left. Input is never passed to
 * FTS5 unquoted, so operators or quotes in it are plain text.
 */
export function ftsQuery(input: string): string | null {
  const text = input.normalize('NFC').trim();
  if (!text) return null;
  if (PHONE_QUERY.test(text) && /\d/.test(text)) {
    // A number typed with separators ("030/123 45") is one token in the index.
    let digits = text.replace(/\D/g, '');
    if (digits.startsWith('00')) digits = digits.slice(2);
    return digits ? `"${digits}"*` : null;
  }
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  if (words.length === 0) return null;
  return words
    .slice(0, 8)
    .map((word) => {
      const variants = new Set([word, germanExpand(word)]);
      const parts = [...variants].map((v) => `"${v.replace(/"/g, '""')}"*`);
      return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
    })
    .join(' AND ');
}
