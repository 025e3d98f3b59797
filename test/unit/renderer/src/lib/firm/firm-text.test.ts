import { describe, expect, it } from 'vitest';
import { FirmSchedule, DEFAULT_OFFICE_HOURS } from '../../../../../../protocol/index.js';
import { firmModeAt } from '../../../../../../protocol/firm-mode.js';
import {
  callReason,
  nextConsultation,
  nextOpenSlot,
  nextOpenStretch,
  untilPhrase,
  when,
} from '../../../../../../renderer/src/lib/firm/firm-text.js';
import { germanText } from '../../../../../helpers/firm-text-de.js';

const tr = germanText;

/** A Berlin wall-clock time in winter (UTC+1) as epoch ms. */
const berlin = (date: string, time: string) => Date.parse(`${date}T${time}:00+01:00`);

// Tue 08:00–12:00 and Thu 14:00–18:00 consultation; the office serves Mo–Fr 08:00–18:00.
const tischlerei = FirmSchedule.parse({
  bundesland: 'BY',
  consultation: { tue: [{ start: '08:00', end: '12:00' }], thu: [{ start: '14:00', end: '18:00' }] },
  closures: [{ from: '2026-12-28', to: '2026-12-31', reason: 'Betriebsurlaub' }],
});

function reason(
  now: number,
  header: Partial<{ mode: 'consultation' | 'service' | 'closed'; fallback: 'declined' | 'busy' }> = {},
) {
  return callReason(
    {
      headerMode: header.mode,
      fallback: header.fallback,
      local: firmModeAt(tischlerei, DEFAULT_OFFICE_HOURS, now),
      nextOpen: nextOpenSlot(tischlerei, DEFAULT_OFFICE_HOURS, now),
      nextConsultation: nextConsultation(tischlerei, DEFAULT_OFFICE_HOURS, now),
      now,
    },
    tr,
  );
}

describe('the firm day in words', () => {
  it('says a time today, tomorrow, a weekday within the week, else the date', () => {
    const now = berlin('2026-12-08', '10:00'); // a Tuesday
    expect(when(berlin('2026-12-08', '12:00'), now, tr)).toBe('12:00');
    expect(when(berlin('2026-12-09', '08:00'), now, tr)).toBe('morgen 8:00');
    expect(when(berlin('2026-12-10', '14:00'), now, tr)).toBe('Do 14:00');
    expect(when(berlin('2026-12-21', '08:00'), now, tr)).toBe('21.12. 8:00');
    expect(untilPhrase(null, now, tr)).toBe('bis auf Weiteres');
  });

  it('names the mode with its end and the PBX fallback on the call card', () => {
    const tuesday = berlin('2026-12-08', '10:00');
    expect(reason(tuesday, { mode: 'consultation', fallback: 'declined' })).toBe(
      'Sprechstunde bis 12:00 – der Inhaber hat abgelehnt',
    );
    expect(reason(tuesday, { mode: 'consultation', fallback: 'busy' })).toBe(
      'Sprechstunde bis 12:00 – der Inhaber telefoniert gerade',
    );
    // Without headers, the synced schedule decides.
    expect(reason(tuesday)).toBe('Sprechstunde bis 12:00');
  });

  it('leaves out an end the schedule does not vouch for when the PBX routed by another mode', () => {
    // Monday 10:00 is service time by the schedule; the PBX says consultation (an override not synced here yet).
    const monday = berlin('2026-12-07', '10:00');
    expect(reason(monday, { mode: 'consultation', fallback: 'declined' })).toBe('Sprechstunde – der Inhaber hat abgelehnt');
    expect(reason(monday)).toBe('Servicezeit bis 18:00 – Sprechstunde wieder ab morgen 8:00');
  });

  it('tells from when a callback is possible outside the hours, over a weekend and a closure', () => {
    expect(reason(berlin('2026-12-07', '19:00'))).toBe('Außerhalb der Sprechstunde – nächster Rückruf möglich ab morgen 8:00');
    expect(reason(berlin('2026-12-12', '10:00'), { mode: 'closed' })).toBe(
      'Außerhalb der Sprechstunde – nächster Rückruf möglich ab Mo 8:00',
    );
    // Betriebsurlaub 28.–31.12., New Year's Day (a Friday) a holiday, then the weekend: Monday 4 January.
    expect(reason(berlin('2026-12-29', '09:00'))).toBe('Betriebsurlaub – nächster Rückruf möglich ab Mo 8:00');
    expect(reason(berlin('2027-01-01', '09:00'))).toBe('Feiertag: Neujahrstag – nächster Rückruf möglich ab Mo 8:00');
  });

  it('proposes the next consultation or service start for a callback, never a time already past', () => {
    const evening = berlin('2026-12-07', '19:00');
    expect(nextOpenSlot(tischlerei, DEFAULT_OFFICE_HOURS, evening)).toBe(berlin('2026-12-08', '08:00'));
    // In service time on Monday the next open start is Tuesday's consultation, not now.
    expect(nextOpenSlot(tischlerei, DEFAULT_OFFICE_HOURS, berlin('2026-12-07', '10:00'))).toBe(berlin('2026-12-08', '08:00'));
    expect(nextConsultation(tischlerei, DEFAULT_OFFICE_HOURS, berlin('2026-12-08', '13:00'))).toBe(berlin('2026-12-10', '14:00'));
  });

  it("proposes the next opening, not the end of an override that runs into the plan's service time", () => {
    const now = berlin('2026-12-07', '10:00');
    const schedule = FirmSchedule.parse({
      ...tischlerei,
      override: { mode: 'service', until: new Date(berlin('2026-12-07', '12:00')).toISOString() },
    });
    // Open from now until 18:00 (override, then the plan's service time); closed overnight; Tuesday's Sprechstunde.
    expect(nextOpenSlot(schedule, DEFAULT_OFFICE_HOURS, now)).toBe(berlin('2026-12-08', '08:00'));
  });

  it('gives the whole next open stretch, for a callback deadline at its end', () => {
    // Monday evening: Tuesday opens with the Sprechstunde at 8:00; the service time follows until 18:00.
    expect(nextOpenStretch(tischlerei, DEFAULT_OFFICE_HOURS, berlin('2026-12-07', '19:00'))).toEqual({
      from: berlin('2026-12-08', '08:00'),
      to: berlin('2026-12-08', '18:00'),
    });
  });

  it('follows an open-ended override', () => {
    const schedule = FirmSchedule.parse({ ...tischlerei, override: { mode: 'consultation', until: null } });
    const now = berlin('2026-12-07', '10:00');
    const text = callReason(
      {
        headerMode: undefined,
        fallback: undefined,
        local: firmModeAt(schedule, DEFAULT_OFFICE_HOURS, now),
        nextOpen: null,
        nextConsultation: null,
        now,
      },
      tr,
    );
    expect(text).toBe('Sprechstunde bis auf Weiteres');
  });
});
