import { CONFIRM_BEFORE_DESTROYING, MAIL_STATUSES, type MailItem, type MailStatus } from '../../../../protocol/index.js';
import { todayInBerlin } from '../time/berlin.js';

/** How pressing a deadline is: `due` (today or past, or within three days) shows red. */
export type DeadlineUrgency = 'none' | 'due' | 'later';

/** Days at or below which a deadline shows red. */
export const DEADLINE_RED_DAYS = 3;

/** Whole calendar days from `today` to `day` (both YYYY-MM-DD, Berlin days); negative when past. */
export function daysUntil(day: string, today: string): number {
  const ms = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(day) - ms(today)) / 86_400_000);
}

/**
 * A deadline counts in Berlin days, not hours: a letter with a Frist on Thursday is red from Monday
 * on, whatever the hour, and stays red once past. An erledigt item needs no attention any more.
 */
export function deadlineUrgency(item: Pick<MailItem, 'deadline' | 'status'>, today = todayInBerlin()): DeadlineUrgency {
  if (!item.deadline || item.status === 'erledigt') return 'none';
  return daysUntil(item.deadline, today) <= DEADLINE_RED_DAYS ? 'due' : 'later';
}

/**
 * The craftsman's order: unread first, then open before erledigt, then the nearest deadline (items
 * without one after those with one), then the newest receipt.
 */
export function postOrder(items: readonly MailItem[]): MailItem[] {
  const rank = (item: MailItem) => [item.read_at ? 1 : 0, item.status === 'erledigt' ? 1 : 0, item.deadline ?? '9999-12-31'];
  return [...items].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) {
      if (ra[i]! < rb[i]!) return -1;
      if (ra[i]! > rb[i]!) return 1;
    }
    return b.received_on.localeCompare(a.received_on) || b.created_at.localeCompare(a.created_at);
  });
}

/** The status steps the office may take next from `status`: forward only, a step may be skipped. */
export function nextSteps(status: MailStatus): MailStatus[] {
  return MAIL_STATUSES.slice(MAIL_STATUSES.indexOf(status) + 1);
}

/** Whether the craftsman's confirmation is still missing before the paper may be destroyed. */
export function needsDisposalConfirmation(item: Pick<MailItem, 'kind' | 'disposal_confirmed_by'>): boolean {
  return CONFIRM_BEFORE_DESTROYING.includes(item.kind) && !item.disposal_confirmed_by;
}
