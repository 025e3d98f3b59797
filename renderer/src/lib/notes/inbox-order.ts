import type { Note } from '../../../../protocol/index.js';

/**
 * The craftsman's inbox order: what needs him first. Open before done; urgent messages first; then
 * callbacks with a due time, the earliest (overdue ones included) first; then everything else, the
 * newest first. Within the urgent ones, too, a due callback comes before one without.
 */
export function inboxOrder(notes: readonly Note[]): Note[] {
  const rank = (note: Note) =>
    (note.status === 'done' ? 4 : 0) + (note.urgency === 'urgent' ? 0 : 2) + (dueOf(note) === undefined ? 1 : 0);
  return [...notes].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    const [da, db] = [dueOf(a), dueOf(b)];
    if (da !== undefined && db !== undefined && da !== db) return da - db;
    return b.created_at.localeCompare(a.created_at);
  });
}

function dueOf(note: Note): number | undefined {
  if (!note.callback_requested || !note.callback_due) return undefined;
  const ms = Date.parse(note.callback_due);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether an open callback is past its due time (the card marks it "überfällig"). */
export function isOverdue(note: Note, now: number): boolean {
  const due = dueOf(note);
  return note.status === 'open' && due !== undefined && due < now;
}
