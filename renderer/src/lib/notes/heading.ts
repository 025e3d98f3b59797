import type { Note } from '../../../../protocol/index.js';

const MAX_HEADING = 80;

/**
 * A message's heading: its subject, else the first line of its concern (shortened), else undefined
 * (the view then says "Nachricht") — never "(ohne Betreff)" over a concern that says what it is about.
 */
export function noteHeading(note: Pick<Note, 'subject' | 'body'>): string | undefined {
  const subject = note.subject?.trim();
  if (subject) return subject;
  const first = note.body?.trim().split('\n')[0]?.trim();
  if (!first) return undefined;
  return first.length > MAX_HEADING ? `${first.slice(0, MAX_HEADING - 1).trimEnd()}…` : first;
}
