/**
 * The office service's letterhead on every report: HOME/letterhead.json, edited by IT, e.g.
 *
 *     { "name": "Büroservice Muster", "lines": ["Hauptstraße 1", "12345 Musterstadt", "Tel. 030 1234567"] }
 *
 * Read at each report, so an edit applies to the next one; a frozen report keeps the letterhead it
 * was delivered with (its PDF is stored).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const Letterhead = z.object({
  name: z.string().min(1).max(120),
  /** Address and contact lines under the name, at most six. */
  lines: z.array(z.string().max(120)).max(6).default([]),
});
export type Letterhead = z.infer<typeof Letterhead>;

export const DEFAULT_LETTERHEAD: Letterhead = { name: 'Telefon- und Büroservice', lines: [] };

export function letterheadFile(home: string): string {
  return join(home, 'letterhead.json');
}

/** The home's letterhead, or the default when there is none; a malformed file is an error, not a silent default. */
export function readLetterhead(home: string): Letterhead {
  const file = letterheadFile(home);
  if (!existsSync(file)) return DEFAULT_LETTERHEAD;
  const parsed = Letterhead.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a valid letterhead: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
