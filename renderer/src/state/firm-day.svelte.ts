import { get } from 'svelte/store';
import {
  DEFAULT_OFFICE_HOURS,
  type FirmSchedule,
  type FirmSchedulePart,
  type FirmSwitchAction,
  type Override,
  type WeeklyHours,
} from '../../../protocol/index.js';
import { firmModeAt, firmTimeline, type FirmModeNow } from '../../../protocol/firm-mode.js';
import { serverIso } from '../lib/clock.js';
import {
  callReason,
  modeName,
  nextConsultation,
  nextOpenSlot,
  nextOpenStretch,
  untilPhrase,
  type Translate,
} from '../lib/firm/firm-text.js';
import type { CallRoute } from '../lib/phone/route-headers.js';
import { call, on } from '../lib/host/client.js';
import { t } from '../lib/i18n/index.js';
import { addDays, berlinDate, berlinToUtc } from '../lib/time/berlin.js';
import { reportError } from './errors.svelte.js';
import { identityState } from './identity.svelte.js';

/**
 * Every firm's schedule from the local store (synced) and the clock the modes are computed at, so
 * the overview, the call card and the craftsman's switch all say the same (docs/firm-day.md).
 */
interface FirmDayState {
  loaded: boolean;
  schedules: Record<string, FirmSchedule | null>;
  /** The office's own working hours as each firm's record holds them (one week, set by the lead). */
  officeHours: Record<string, WeeklyHours>;
  now: number;
}
export const firmDay = $state<FirmDayState>({
  loaded: false,
  schedules: {},
  officeHours: {},
  /** Server time, renewed every 15 s: modes change at minute boundaries. */
  now: Date.now(),
});

const TICK_MS = 15_000;
let started = false;
let generation = 0;

export const translate: Translate = (key, values) => get(t)(key, values ? { values } : undefined);

function serverNow(): number {
  return Date.parse(serverIso(Date.now()));
}

/** Loads the schedules once and follows sync, local writes and the clock from then on. */
export function followFirmDay(): void {
  if (started) return;
  started = true;
  firmDay.now = serverNow();
  void loadFirmSchedules();
  on('store.changed', (change) => {
    if (change.table === 'firm_schedule') void loadFirmSchedules();
  });
  on('desktop.firmSwitch.requested', ({ action }) => {
    const tenant = ownFirm();
    if (tenant) void switchFirm(tenant, action);
  });
  setInterval(() => {
    firmDay.now = serverNow();
    reportTray();
  }, TICK_MS);
}

export async function loadFirmSchedules(): Promise<void> {
  const mine = ++generation;
  try {
    const entries = await call('firmSchedule.list');
    if (mine !== generation) return;
    firmDay.schedules = Object.fromEntries(entries.map((entry) => [entry.tenant, entry.schedule]));
    firmDay.officeHours = Object.fromEntries(entries.map((entry) => [entry.tenant, entry.officeHours]));
    firmDay.now = serverNow();
  } catch (error) {
    reportError(error, 'firmSchedule.list');
  } finally {
    firmDay.loaded = true;
  }
  reportTray();
}

export function scheduleOf(tenant: string | null | undefined): FirmSchedule | null {
  return tenant ? (firmDay.schedules[tenant] ?? null) : null;
}

/** The office's working hours a firm's modes follow (the default until the lead sets them). */
export function officeHoursOf(tenant: string | null | undefined): WeeklyHours {
  return (tenant ? firmDay.officeHours[tenant] : undefined) ?? DEFAULT_OFFICE_HOURS;
}

/**
 * The office's week as most firms hold it: every firm holds the same once the lead has set it, so
 * this is the week her editor starts from.
 */
export function officeWeek(): WeeklyHours {
  const counts: Record<string, number> = {};
  for (const hours of Object.values(firmDay.officeHours)) {
    const key = JSON.stringify(hours);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const [best] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] ?? [];
  return best ? (JSON.parse(best) as WeeklyHours) : DEFAULT_OFFICE_HOURS;
}

/** Sets the office's own working hours for every firm (the lead only); false (and the error shown) when refused. */
export async function setOfficeHours(hours: WeeklyHours): Promise<boolean> {
  try {
    const entries = await call('officeHours.set', { hours });
    firmDay.officeHours = Object.fromEntries(entries.map((entry) => [entry.tenant, entry.officeHours]));
    firmDay.now = serverNow();
    reportTray();
    return true;
  } catch (error) {
    reportError(error, 'officeHours.set');
    return false;
  }
}

/** The firm's mode at `now` from its synced schedule, or null when it has none. */
export function modeOf(tenant: string | null | undefined, now = firmDay.now): FirmModeNow | null {
  const schedule = scheduleOf(tenant);
  return schedule ? firmModeAt(schedule, officeHoursOf(tenant), now) : null;
}

/** A craftsman edits his own firms' schedules, the office lead every firm's; teleworkers read them. */
export function mayEditSchedule(tenant: string): boolean {
  const me = identityState.summary;
  if (me?.role === 'lead') return true;
  return me?.role === 'craftsman' && me.tenants.some((firm) => firm.id === tenant);
}

/** Only the office lead sets the office's own working hours (for every firm at once). */
export function mayEditOfficeHours(): boolean {
  return identityState.summary?.role === 'lead';
}

/** The craftsman's own firm (his switch acts on it); undefined for everyone else. */
export function ownFirm(): string | undefined {
  const me = identityState.summary;
  return me?.role === 'craftsman' ? me.tenants[0]?.id : undefined;
}

/** Writes one part of a firm's schedule; false (and the error shown) when refused. */
export async function setSchedulePart(tenant: string, part: FirmSchedulePart, value: unknown): Promise<boolean> {
  try {
    const entry = await call('firmSchedule.set', { tenant, part, value: value === null ? null : JSON.stringify(value) });
    firmDay.schedules[tenant] = entry.schedule;
    firmDay.now = serverNow();
    reportTray();
    return true;
  } catch (error) {
    reportError(error, 'firmSchedule.set');
    return false;
  }
}

export function setOverride(tenant: string, override: Override | null): Promise<boolean> {
  return setSchedulePart(tenant, 'override', override);
}

/** Midnight after `now` in Berlin: the end of "heute nicht erreichbar". */
export function endOfBerlinDay(now: number): string {
  return berlinToUtc(addDays(berlinDate(now), 1), '00:00');
}

/**
 * "Sprechstunde beenden": back to the plan, unless the plan itself says consultation now; then the
 * service time holds until the planned consultation would have ended.
 */
function endOverride(schedule: FirmSchedule, office: WeeklyHours, now: number): Override | null {
  const plan = firmTimeline({ ...schedule, override: null }, office, now, 2)[0];
  if (plan?.mode !== 'consultation') return null;
  return { mode: 'service', until: new Date(plan.to).toISOString(), reason: undefined };
}

/** The craftsman's switch (app or tray): `until` is an ISO instant or null for "bis auf Weiteres". */
export async function switchFirm(tenant: string, action: FirmSwitchAction, until: string | null = null): Promise<boolean> {
  const now = serverNow();
  const schedule = scheduleOf(tenant);
  if (action === 'start') return setOverride(tenant, { mode: 'consultation', until, reason: undefined });
  if (action === 'closed-today')
    return setOverride(tenant, { mode: 'closed', until: endOfBerlinDay(now), reason: translate('firm.switch.closedToday') });
  return setOverride(tenant, schedule ? endOverride(schedule, officeHoursOf(tenant), now) : null);
}

/** "Sprechstunde bis 12:00": a firm's mode now and its end, in the app's language. */
export function stateLine(mode: FirmModeNow, now = firmDay.now): string {
  return `${modeName(mode.mode, translate)} ${untilPhrase(mode.until, now, translate)}`;
}

let lastTray: string | undefined;

/** Tells the tray the craftsman's switch state (nothing for other roles). */
function reportTray(): void {
  const tenant = ownFirm();
  const mode = tenant ? modeOf(tenant) : null;
  const state = mode ? { consulting: mode.mode === 'consultation', status: stateLine(mode) } : null;
  const key = JSON.stringify(state);
  if (key === lastTray) return;
  lastTray = key;
  call('desktop.firmSwitch', { state }).catch(() => undefined);
}

/**
 * The call card's reason line for a call to `tenant`: the PBX's routing headers when it sent them,
 * else the mode computed from the synced schedule ("Außerhalb der Sprechstunde – nächster Rückruf
 * möglich ab Di 8:00").
 */
export function callReasonFor(tenant: string | undefined, route: CallRoute | undefined, now = firmDay.now): string | null {
  if (!tenant) return null;
  const schedule = scheduleOf(tenant);
  const office = officeHoursOf(tenant);
  const local = schedule ? firmModeAt(schedule, office, now) : null;
  return callReason(
    {
      headerMode: route?.mode,
      fallback: route?.fallback,
      local,
      nextOpen: schedule ? nextOpenSlot(schedule, office, now) : null,
      nextConsultation: schedule ? nextConsultation(schedule, office, now) : null,
      now,
    },
    translate,
  );
}

/** The firm's next consultation or service start after now: what a promised callback proposes. */
export function proposedCallback(tenant: string | undefined, now = firmDay.now): number | null {
  const schedule = scheduleOf(tenant);
  return schedule ? nextOpenSlot(schedule, officeHoursOf(tenant), now) : null;
}

/** The firm's next open stretch after now, for a callback window that is a deadline ("Rückruf bis …"). */
export function proposedCallbackStretch(tenant: string | undefined, now = firmDay.now): { from: number; to: number } | null {
  const schedule = scheduleOf(tenant);
  return schedule ? nextOpenStretch(schedule, officeHoursOf(tenant), now) : null;
}
