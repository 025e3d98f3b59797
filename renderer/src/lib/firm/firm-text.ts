/**
 * The firm's day in words (docs/firm-day.md): its mode now and until when, why a call rings here
 * ("Sprechstunde bis 12:00 – der Inhaber hat abgelehnt"), and from when a callback is possible.
 * Pure: the translator is passed in, so the state module gives it the app's language and the unit
 * test the message files.
 */
import type { FirmMode, FirmSchedule, WeeklyHours } from '../../../../protocol/firm-day.js';
import { firmTimeline, type FirmModeNow, type ModeReason } from '../../../../protocol/firm-mode.js';
import type { RouteFallback } from '../../../../protocol/firm-routing.js';
import { addDays, berlinDate, berlinTime, weekday } from '../time/berlin.js';

export type Translate = (key: string, values?: Record<string, string>) => string;

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "12:00" today, "morgen 8:00", "Di 8:00" within the week, else "24.12. 8:00" (Berlin wall clock). */
export function when(at: number, now: number, tr: Translate): string {
  const [h, m] = berlinTime(at).split(':');
  const time = `${Number(h)}:${m}`;
  const day = berlinDate(at);
  const today = berlinDate(now);
  if (day === today) return time;
  if (day === addDays(today, 1)) return tr('firm.tomorrowAt', { time });
  if (day <= addDays(today, 6)) return `${tr(`firm.day.${DAY_KEYS[weekday(day)]}`)} ${time}`;
  const [, mo, d] = day.split('-');
  return `${d}.${mo}. ${time}`;
}

/** "bis 12:00", "bis Di 8:00" or "bis auf Weiteres" (an override without an end). */
export function untilPhrase(until: number | null, now: number, tr: Translate): string {
  return until === null ? tr('firm.untilFurther') : tr('firm.until', { when: when(until, now, tr) });
}

/** "Sprechstunde", "Servicezeit", "Geschlossen". */
export function modeName(mode: FirmMode, tr: Translate): string {
  return tr(`firm.mode.${mode}`);
}

/** Why the firm is in its mode, when it is more than the weekly plan: "Ausnahme", "Betriebsurlaub", "Feiertag: …". */
export function reasonName(reason: ModeReason, tr: Translate): string | null {
  if (reason.kind === 'override') return reason.label ?? tr('firm.reason.override');
  if (reason.kind === 'closure') return reason.label;
  if (reason.kind === 'holiday') return tr('firm.reason.holiday', { name: reason.label });
  return null;
}

/**
 * When the firm next opens after `now` (consultation or service time following a closed stretch), or null
 * within the horizon. An open stretch that only changes its reason (an override ending into the plan's
 * service time) is not an opening: a callback is proposed for when someone is there again.
 */
export function nextOpenSlot(schedule: FirmSchedule, office: WeeklyHours, now: number, days = 14): number | null {
  const segments = firmTimeline(schedule, office, now, days);
  const opening = segments.find(
    (seg, i) => i > 0 && seg.from > now && seg.mode !== 'closed' && segments[i - 1]!.mode === 'closed',
  );
  return opening?.from ?? null;
}

/**
 * The firm's next open stretch after `now` ([opening, closing) in epoch ms): the slot a promised callback
 * falls into, so a "Rückruf bis …" deadline can be its end. Null when it does not open within the horizon.
 */
export function nextOpenStretch(
  schedule: FirmSchedule,
  office: WeeklyHours,
  now: number,
  days = 14,
): { from: number; to: number } | null {
  const from = nextOpenSlot(schedule, office, now, days);
  if (from === null) return null;
  const segments = firmTimeline(schedule, office, now, days);
  const closing = segments.find((seg) => seg.from > from && seg.mode === 'closed');
  return { from, to: closing?.from ?? segments[segments.length - 1]!.to };
}

/** The start of the firm's next consultation time after `now`, or null. */
export function nextConsultation(schedule: FirmSchedule, office: WeeklyHours, now: number, days = 14): number | null {
  const segments = firmTimeline(schedule, office, now, days);
  return segments.find((seg) => seg.from > now && seg.mode === 'consultation')?.from ?? null;
}

export interface CallReasonInput {
  /** What the PBX said it routed by (X-Vermittlung-Mode), if it said so. */
  headerMode: FirmMode | undefined;
  /** Why the craftsmen's ring ended before this one (X-Vermittlung-Fallback). */
  fallback: RouteFallback | undefined;
  /** The firm's mode now from the synced schedule, or null when the firm has none. */
  local: FirmModeNow | null;
  /** The next consultation or service start (for a closed firm), and the next consultation (in service time). */
  nextOpen: number | null;
  nextConsultation: number | null;
  now: number;
}

/**
 * The call card's reason line: the mode (the PBX's word first, else the synced schedule's) with its
 * end when the schedule agrees, then why it rings here or when a callback is possible.
 */
export function callReason(input: CallReasonInput, tr: Translate): string | null {
  const mode = input.headerMode ?? input.local?.mode;
  if (!mode) return null;
  const local = input.local?.mode === mode ? input.local : null;
  const parts: string[] = [];
  if (mode === 'closed') {
    const why = local ? reasonName(local.reason, tr) : null;
    parts.push(why ?? tr('firm.reason.outside'));
  } else {
    const name = modeName(mode, tr);
    parts.push(
      local && (local.until !== null || local.reason.kind === 'override')
        ? `${name} ${untilPhrase(local.until, input.now, tr)}`
        : name,
    );
  }
  if (input.fallback) parts.push(tr(`firm.fallback.${input.fallback}`));
  else if (mode === 'closed' && input.nextOpen !== null)
    parts.push(tr('firm.nextCallback', { when: when(input.nextOpen, input.now, tr) }));
  else if (mode === 'service' && input.nextConsultation !== null)
    parts.push(tr('firm.nextConsultation', { when: when(input.nextConsultation, input.now, tr) }));
  return parts.join(' – ');
}
