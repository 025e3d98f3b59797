import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirmSchedule, WEEKDAYS, type WeeklyHours } from '../../../protocol/index.js';
import { firmModeAt } from '../../../protocol/firm-mode.js';
import { callReason, nextConsultation, nextOpenSlot } from '../../../renderer/src/lib/firm/firm-text.js';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { germanText } from '../../helpers/firm-text-de.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const root = join(import.meta.dirname, '..', '..', '..');
const rendererBuilt = existsSync(join(root, 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';
const SYNC_MS = 45_000;
/** No Sprechstunde at all: the office's own hours alone make the firm's service time. */
const SCHEDULE = FirmSchedule.parse({ bundesland: 'NW', consultation: {} });

/**
 * The office's own working hours as the lead sets them in the firm screen: her editor refuses what is
 * not a week in German words; what she saves reaches the teleworker's desk through sync, and the
 * teleworker's overview and call card compute the firm's service time with it — and so does the PBX.
 */
describe("the office's working hours: the lead edits them, the teleworker's desk follows", () => {
  let rig: DeskRig;
  let customer: Baresip;
  let lena: Desk;
  let anna: Desk;
  const annaRow = () => anna.page.locator('[data-testid="firm-row"][data-tenant="tischlerei"]');

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build:renderer` first');
    rig = await startDeskRig({
      pki: {
        users: [
          { id: 'anna', name: 'Anna Schmidt', tenants: ['tischlerei', 'sanitaer'], role: 'teleworker' },
          { id: 'max', name: 'Max Holzwurm', tenants: ['tischlerei'], role: 'craftsman' },
          { id: 'lena', name: 'Lena Berg', tenants: ['tischlerei', 'sanitaer'], role: 'lead' },
        ],
      },
    });
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
    lena = await rig.desk('lena', 'firms', { viewport: { width: 1280, height: 1000 }, bypassCSP: true });
    anna = await rig.desk('anna', 'firms', { viewport: { width: 1280, height: 900 }, bypassCSP: true });
  }, 180_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  it('refuses a week that is none in German, saves a valid one for every firm, and Anna’s overview and call card follow', async () => {
    // The firm's week without Sprechstunde, set by the lead (she may edit every firm's).
    for (const [part, value] of [
      ['bundesland', SCHEDULE.bundesland],
      ['consultation', SCHEDULE.consultation],
    ] as const) {
      expect(
        await invokeInPage(lena.page, 'firmSchedule.set', { tenant: 'tischlerei', part, value: JSON.stringify(value) }),
      ).toMatchObject({ ok: true });
    }
    const editor = lena.page.getByTestId('office-hours');
    const day = (name: string) => editor.getByRole('textbox', { name });
    const save = () => editor.getByRole('button', { name: 'Arbeitszeit speichern' }).click();
    // The default week until she sets one.
    expect(await day('Montag').inputValue()).toBe('08:00-18:00');

    await day('Montag').fill('8 bis 12');
    await save();
    expect(await editor.getByRole('alert').textContent()).toBe('Montag: bitte Zeiträume wie 08:00-12:00 eingeben.');
    await day('Montag').fill('18:00-08:00');
    await save();
    expect(await editor.getByRole('alert').textContent()).toBe(
      'Montag: ein Zeitraum endet vor seinem Beginn oder überschneidet sich mit einem anderen.',
    );

    // Today from midnight until two hours from now (a time the default week would not give), no other day.
    const berlin = Temporal.Now.zonedDateTimeISO('Europe/Berlin');
    const today = WEEKDAYS[berlin.dayOfWeek - 1]!;
    const end = `${String(Math.min(berlin.hour + 2, 23)).padStart(2, '0')}:00`;
    const names = {
      mon: 'Montag',
      tue: 'Dienstag',
      wed: 'Mittwoch',
      thu: 'Donnerstag',
      fri: 'Freitag',
      sat: 'Samstag',
      sun: 'Sonntag',
    };
    for (const d of WEEKDAYS) await day(names[d]).fill(d === today ? `00:00-${end}` : '');
    await save();
    await expect.poll(() => editor.getByRole('status').textContent()).toBe('Arbeitszeit für alle Firmen gespeichert');
    expect(await editor.getByRole('alert').textContent()).toBe('');
    expect(await seriousAxeViolations(lena.page, '[data-testid="office-hours"]')).toEqual([]);
    await screenshot(lena.page, 'office-hours-lead-de-light');
    const office = Object.fromEntries(WEEKDAYS.map((d) => [d, d === today ? [{ start: '00:00', end }] : []])) as WeeklyHours;

    // Anna sees the week and reads no editor; her overview says service time until the lead's end.
    await expect.poll(() => anna.page.getByTestId('office-week').textContent(), { timeout: SYNC_MS }).toContain(`00:00–${end}`);
    expect(await anna.page.getByTestId('office-hours').getByRole('textbox').count()).toBe(0);
    await expect.poll(() => annaRow().getAttribute('data-mode'), { timeout: SYNC_MS }).toBe('service');
    expect(await annaRow().getByTestId('firm-now').textContent()).toContain(`Servicezeit bis ${Number(end.slice(0, 2))}:00`);

    // A customer calls the firm: the PBX routes by the same hours (service: Anna rings), and her card says until when.
    await expect
      .poll(() => anna.page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('registered');
    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = anna.page.getByRole('article', { name: `Anruf für ${FIRM}` });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('ringing');
    const expected = () => {
      const now = Date.now();
      return callReason(
        {
          headerMode: 'service',
          fallback: undefined,
          local: firmModeAt(SCHEDULE, office, now),
          nextOpen: nextOpenSlot(SCHEDULE, office, now),
          nextConsultation: nextConsultation(SCHEDULE, office, now),
          now,
        },
        germanText,
      );
    };
    await expect.poll(() => card.getByTestId('call-reason').textContent(), { timeout: 5000 }).toBe(expected());
    expect(expected()).toContain(`Servicezeit bis ${Number(end.slice(0, 2))}:00`);
    await card.getByRole('button', { name: 'Ablehnen', exact: true }).click();
    await customer.command('hangup').catch(() => undefined);
    await customer.waitForEvent('CALL_CLOSED', 15_000, mark);
    expect(lena.errors).toEqual([]);
    expect(anna.errors).toEqual([]);
  }, 300_000);

  it('refuses the office hours from anyone but the lead in the app (the server as well)', async () => {
    const result = (await invokeInPage(anna.page, 'officeHours.set', {
      hours: Object.fromEntries(WEEKDAYS.map((d) => [d, []])),
    })) as { ok: boolean; error?: { code: string } };
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
