import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirmSchedule, DEFAULT_OFFICE_HOURS } from '../../../protocol/index.js';
import { firmModeAt } from '../../../protocol/firm-mode.js';
import { callReason, nextConsultation, nextOpenSlot, nextOpenStretch } from '../../../renderer/src/lib/firm/firm-text.js';
import { berlinDate, berlinTime } from '../../../renderer/src/lib/time/berlin.js';
import { formatGermanDate } from '../../../renderer/src/lib/time/german.js';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type Desk, type DeskRig } from '../../helpers/desk-rig.js';
import { germanText } from '../../helpers/firm-text-de.js';
import { openSipProbe } from '../../helpers/sip-probe.js';
import { sipRequest } from '../../helpers/stack.js';
import { invokeInPage, seriousAxeViolations } from '../../helpers/ui.js';

const root = join(import.meta.dirname, '..', '..', '..');
const rendererBuilt = existsSync(join(root, 'dist', 'renderer', 'index.html'));

const FIRM = 'Tischlerei Holzwurm';
const FIRM_NUMBER = '+492211234567';
const CUSTOMER = '+4917612345678';
const SECOND_CUSTOMER = '+4915112345678';
/** A change on one desk reaches the other through the sync server: about a second, far more on a loaded machine. */
const SYNC_MS = 45_000;

/** The week Max types into his app: Sprechstunde Tuesday morning and Thursday afternoon, Bavaria. */
const WEEK = FirmSchedule.parse({
  bundesland: 'BY',
  consultation: { tue: [{ start: '08:00', end: '12:00' }], thu: [{ start: '14:00', end: '18:00' }] },
});

/** A screenshot for the README: in artifacts/ like every other, and copied into docs/screenshots/. */
async function docScreenshot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true });
  copyFileSync(file, join(root, 'docs', 'screenshots', `${name}.png`));
}

/**
 * The firm's day in the desks of both sides, on the real stack: Max (craftsman of the Tischlerei) sets
 * his week and switches his Sprechstunde on and off; Anna (teleworker for the Tischlerei and the
 * Sanitär firm) sees every firm's mode, its end and the next change follow through sync, and her call
 * card says why a call rings at her desk — from the PBX's routing headers when the INVITE carries
 * them, else computed from the synced schedule.
 */
describe("the firm's day at the craftsman's and the teleworker's desk", () => {
  let rig: DeskRig;
  let customer: Baresip;
  let max: Desk;
  let anna: Desk;

  const annaRow = () => anna.page.locator('[data-testid="firm-row"][data-tenant="tischlerei"]');
  const maxSwitch = () => max.page.getByTestId('craftsman-switch');

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build:renderer` first');
    rig = await startDeskRig();
    customer = await startBaresip({ user: CUSTOMER, domain: rig.stack.info.sipDomain, pbxPort: rig.stack.info.ports.udp });
    max = await rig.desk('max', 'firms', { viewport: { width: 1280, height: 900 }, bypassCSP: true });
    anna = await rig.desk('anna', 'firms', { viewport: { width: 1280, height: 900 }, bypassCSP: true });
  }, 180_000);
  afterAll(async () => {
    await customer?.stop();
    await rig?.stop();
  });

  it("Max sets his week and switches his Sprechstunde on and off; Anna's overview follows through sync", async () => {
    // His week, typed as Germans write times; Anna may only read it.
    const week = max.page.locator('[data-testid="firm-week"][data-tenant="tischlerei"]');
    await week.getByRole('textbox', { name: 'Dienstag' }).fill('8:00-12:00');
    await week.getByRole('textbox', { name: 'Donnerstag' }).fill('14-18');
    await week.getByRole('combobox', { name: 'Bundesland' }).selectOption('BY');
    await week.getByRole('button', { name: 'Woche speichern' }).click();
    await expect.poll(() => week.getByRole('status').textContent()).toBe('Woche gespeichert');
    const annaWeek = anna.page.locator('[data-testid="firm-week"][data-tenant="tischlerei"]');
    await expect.poll(() => annaWeek.textContent(), { timeout: SYNC_MS }).toContain('Dienstag 08:00-12:00');
    expect(await annaWeek.textContent()).toContain('Donnerstag 14:00-18:00');
    expect(await annaWeek.getByRole('textbox').count()).toBe(0);
    expect(await annaWeek.textContent()).toContain('Nur der Inhaber und die Büroleitung ändern diesen Plan.');

    // On, until further notice: his switch and Anna's overview say the same.
    await maxSwitch().getByRole('button', { name: 'Sprechstunde beginnen' }).click();
    await expect.poll(() => maxSwitch().getByTestId('switch-state').textContent()).toBe('Jetzt: Sprechstunde bis auf Weiteres');
    expect(await maxSwitch().getByRole('button', { name: 'Sprechstunde beenden' }).isVisible()).toBe(true);
    await expect.poll(() => annaRow().getAttribute('data-mode'), { timeout: SYNC_MS }).toBe('consultation');
    expect(await annaRow().getByTestId('firm-now').textContent()).toContain('Sprechstunde bis auf Weiteres');
    expect(await annaRow().getByTestId('firm-now').textContent()).toContain('Ausnahme');
    expect(await annaRow().getByTestId('firm-owner').textContent()).toContain('Max Holzwurm');
    // The other firm has no schedule yet, and says so.
    expect(
      await anna.page.locator('[data-testid="firm-row"][data-tenant="sanitaer"]').getByTestId('firm-now').textContent(),
    ).toContain('Kein Plan hinterlegt');
    // His own row names him with the status he publishes.
    const maxRow = max.page.locator('[data-testid="firm-row"][data-tenant="tischlerei"]');
    expect(await maxRow.getByTestId('firm-owner').textContent()).toMatch(/Max Holzwurm: (Verfügbar|Im Gespräch|Abwesend)/);
    expect(await seriousAxeViolations(max.page, '[data-testid="view-firms"]')).toEqual([]);
    await docScreenshot(max.page, 'craftsman-switch-de-light');

    await maxSwitch().getByRole('button', { name: 'Sprechstunde beenden' }).click();
    await expect.poll(() => maxSwitch().getAttribute('data-mode')).not.toBe('consultation');
    // Off again: back to the plan (or service time where the plan itself says Sprechstunde now); Anna follows.
    const offMode = await maxSwitch().getAttribute('data-mode');
    await expect.poll(() => annaRow().getAttribute('data-mode'), { timeout: SYNC_MS }).toBe(offMode);

    // An end that is not a time is refused in words, and nothing is written.
    const endField = maxSwitch().getByRole('textbox', { name: /^Ende \(Uhrzeit\)/ });
    await endField.fill('25:00');
    await maxSwitch().getByRole('button', { name: 'Sprechstunde beginnen' }).click();
    expect(await maxSwitch().getByRole('alert').textContent()).toBe('Bitte eine Uhrzeit wie 12:00 eingeben.');
    expect(await maxSwitch().getAttribute('data-mode')).toBe(offMode);
    expect(max.errors).toEqual([]);
    expect(anna.errors).toEqual([]);
  }, 240_000);

  it("Anna's overview and call card say why a call rings here: from the synced schedule, and from the PBX's headers", async () => {
    const { page } = anna;
    await expect.poll(() => page.getByTestId('status-phone').getAttribute('data-state'), { timeout: 30_000 }).toBe('registered');

    // Max is not reachable today: closed until his next opening, and both see the reason.
    await maxSwitch().getByRole('button', { name: 'Heute nicht erreichbar' }).click();
    // Closed may be the plan's word already at this hour: the reason shows the override has arrived.
    await expect
      .poll(() => annaRow().getByTestId('firm-now').textContent(), { timeout: SYNC_MS })
      .toContain('Heute nicht erreichbar');
    expect(await annaRow().getAttribute('data-mode')).toBe('closed');
    expect(await annaRow().getByTestId('firm-next').textContent()).toMatch(/^\s*ab .+: (Sprechstunde|Servicezeit)\s*$/);
    expect(await seriousAxeViolations(page, '[data-testid="view-firms"]')).toEqual([]);
    await docScreenshot(page, 'firm-overview-de-light');

    // The office takes over for two hours (an override as the lead would set it): a mode in which the PBX rings
    // the teleworkers with schedule routing as without it, so this call reaches Anna either way.
    const until = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 60_000) * 60_000).toISOString();
    const override = { mode: 'service' as const, until };
    expect(
      await invokeInPage(max.page, 'firmSchedule.set', {
        tenant: 'tischlerei',
        part: 'override',
        value: JSON.stringify(override),
      }),
    ).toMatchObject({ ok: true });
    await expect.poll(() => annaRow().getAttribute('data-mode'), { timeout: SYNC_MS }).toBe('service');
    const schedule = { ...WEEK, override };

    // A customer calls the firm through the PBX. Today's PBX sends no routing headers (the card computes the
    // mode from the synced schedule); one with schedule routing says "service", which the schedule confirms.
    const mark = customer.events.length;
    await customer.command('dial', `sip:${FIRM_NUMBER}@${rig.stack.info.sipDomain}`);
    const card = page.getByRole('article', { name: `Anruf für ${FIRM}` });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('ringing');
    const expected = () => {
      const now = Date.now();
      const local = firmModeAt(schedule, DEFAULT_OFFICE_HOURS, now);
      const reason = callReason(
        {
          headerMode: undefined,
          fallback: undefined,
          local,
          nextOpen: nextOpenSlot(schedule, DEFAULT_OFFICE_HOURS, now),
          nextConsultation: nextConsultation(schedule, DEFAULT_OFFICE_HOURS, now),
          now,
        },
        germanText,
      );
      return reason;
    };
    await expect.poll(() => card.getByTestId('call-reason').textContent(), { timeout: 5000 }).toBe(expected());
    expect(expected()).toMatch(/^Servicezeit bis \S+ \d{1,2}:\d{2}|^Servicezeit bis \d{1,2}:\d{2}/);

    // She promises a callback: the window proposes the end of the firm's next open stretch.
    await page.keyboard.press('Alt+A');
    await customer.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await card.getByRole('checkbox', { name: 'Rückruf erbeten' }).check();
    const slot = nextOpenStretch(schedule, DEFAULT_OFFICE_HOURS, Date.now())!.to;
    expect(await card.getByLabel('Rückruf bis').inputValue()).toBe(
      `${formatGermanDate(berlinDate(slot))} bis ${berlinTime(slot)} Uhr`,
    );
    expect(await card.getByTestId('callback-proposed').textContent()).toContain('Vorschlag: nächste freie Zeit der Firma');
    // Saved with the note: the callback is due then.
    await expect
      .poll(
        async () => {
          const notes = (await invokeInPage(page, 'notes.list', { callback: true })) as {
            value?: { callback_due: string | null }[];
          };
          return notes.value?.map((note) => note.callback_due && Date.parse(note.callback_due));
        },
        { timeout: 10_000 },
      )
      .toEqual([slot]);
    await page.keyboard.press('Alt+E');
    await customer.waitForEvent('CALL_CLOSED', 8000, mark);

    // Max begins his Sprechstunde; a call whose INVITE carries the PBX's headers (consultation, the owner declined).
    await maxSwitch()
      .getByRole('textbox', { name: /^Ende \(Uhrzeit\)/ })
      .fill('');
    await maxSwitch().getByRole('button', { name: 'Sprechstunde beginnen' }).click();
    await expect.poll(() => annaRow().getAttribute('data-mode'), { timeout: SYNC_MS }).toBe('consultation');
    const probe = await openSipProbe(rig.stack.info.ports.udp);
    try {
      const sdp = [
        'v=0',
        'o=- 1 1 IN IP4 127.0.0.1',
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'a=sendrecv',
        '',
      ].join('\r\n');
      const invite = sipRequest({
        method: 'INVITE',
        user: SECOND_CUSTOMER,
        toUser: FIRM_NUMBER,
        domain: rig.stack.info.sipDomain,
        transport: 'UDP',
        via: `127.0.0.1:${probe.port}`,
        extra: ['Content-Type: application/sdp', 'X-Vermittlung-Mode: consultation', 'X-Vermittlung-Fallback: declined'],
        body: sdp,
      });
      await probe.send(invite, 200);
      const second = page.getByRole('article', { name: `Anruf für ${FIRM}` });
      const maxCard = max.page.getByRole('article', { name: `Anruf für ${FIRM}` });
      // Today's PBX rings the teleworkers first and passes the INVITE's headers on; a PBX routing by the
      // schedule rings Max first in his Sprechstunde and says so itself once he declines.
      const first = async () =>
        (await second.getAttribute('data-status').catch(() => null)) === 'ringing'
          ? 'anna'
          : (await maxCard.getAttribute('data-status').catch(() => null)) === 'ringing'
            ? 'max'
            : null;
      await expect.poll(first, { timeout: 15_000 }).not.toBeNull();
      if ((await first()) === 'max') await maxCard.getByRole('button', { name: 'Ablehnen', exact: true }).click();
      await expect.poll(() => second.getAttribute('data-status'), { timeout: 15_000 }).toBe('ringing');
      await expect
        .poll(() => second.getByTestId('call-reason').textContent(), { timeout: 5000 })
        .toBe('Sprechstunde bis auf Weiteres – der Inhaber hat abgelehnt');
      expect(await seriousAxeViolations(page, '[data-testid="call-card"]')).toEqual([]);
      await screenshot(page, 'call-card-firm-reason-de-light');
      await second.getByRole('button', { name: 'Ablehnen', exact: true }).click();
      // The caller hears a final answer (Kamailio may go on to the craftsmen after a teleworker's decline).
      const finals = () => probe.responses().filter((r) => Number(/^SIP\/2\.0 (\d{3})/.exec(r)?.[1]) >= 300);
      await expect.poll(() => finals().length, { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => second.count(), { timeout: 10_000 }).toBe(0);
    } finally {
      await probe.close();
    }
    expect(anna.errors).toEqual([]);
  }, 240_000);

  it("refuses in Max's app a write to another firm's schedule (the server refuses it as well: test/integration/sync/firm-schedule.test.ts)", async () => {
    const result = (await invokeInPage(max.page, 'firmSchedule.set', { tenant: 'sanitaer', part: 'override', value: null })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const annas = (await invokeInPage(anna.page, 'firmSchedule.set', {
      tenant: 'tischlerei',
      part: 'override',
      value: null,
    })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(annas).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it("Max's agenda shows an appointment Anna books for a customer of his: who, which phone, when", async () => {
    const contact = (await invokeInPage(anna.page, 'contacts.create', {
      tenant: 'tischlerei',
      name: 'Erika Mustermann',
      phones: [{ kind: 'mobile', number: '0151 23456789' }],
    })) as { ok: boolean; value?: { id: string } };
    expect(contact.ok).toBe(true);
    const start = new Date(Date.now() + 2 * 86_400_000);
    start.setUTCHours(9, 0, 0, 0);
    const booked = await invokeInPage(anna.page, 'appointments.create', {
      tenant: 'tischlerei',
      starts_at: start.toISOString(),
      ends_at: new Date(start.getTime() + 3_600_000).toISOString(),
      subject: 'Küche ausmessen',
      contact_id: contact.value!.id,
      status: 'planned',
    });
    expect(booked).toMatchObject({ ok: true });
    await max.page.keyboard.press('Alt+7');
    const item = max.page.getByTestId('agenda-item').filter({ hasText: 'Küche ausmessen' });
    await item.waitFor({ timeout: SYNC_MS });
    expect(await item.getByTestId('agenda-person').textContent()).toBe('Erika Mustermann, 0151 23456789');
    expect(await seriousAxeViolations(max.page, '[data-testid="view-agenda"]')).toEqual([]);
    await docScreenshot(max.page, 'craftsman-agenda-de-light');
  });
});
