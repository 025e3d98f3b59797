import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FirmScheduleRepository } from '../../electron/core/store/firm-schedules.js';
import { LocalStore } from '../../electron/core/store/store.js';
import { ContactCreate, encodeSchedulePart, type Call, type Contact, type Note } from '../../protocol/index.js';

const root = join(import.meta.dirname, '..', '..');
export const AXE_PATH = join(root, 'node_modules', 'axe-core', 'axe.min.js');

export interface SeededProfile {
  contacts: Contact[];
  calls: Call[];
  notes: Note[];
}

/**
 * Fills a profile's real SQLite store before the shell opens it: two firms as the directory would
 * bring them, contacts with several numbers, calls (one missed) and notes (one linked to a call).
 */
export function seedProfile(profileDir: string, extraContacts = 0): SeededProfile {
  const store = LocalStore.open(join(profileDir, 'vermittlung.db'));
  try {
    store.lookup.seedTenants([
      {
        id: 'schreinerei',
        name: 'Schreinerei Müller',
        numbers: ['+49 30 5550100'],
        greeting: 'Schreinerei Müller, guten Tag, Sie sprechen mit …',
        hours: 'Di 8–12, Do 14–18',
      },
      { id: 'elektro', name: 'Elektro Weiß', numbers: ['+49 89 5550200'] },
    ]);
    const contact = (input: Record<string, unknown>) => store.contacts.create(ContactCreate.parse(input));
    const contacts = [
      contact({
        tenant: 'schreinerei',
        name: 'Anna Bäcker',
        company: 'Bäckerei Bäcker',
        city: 'Berlin',
        email: 'anna@example.org',
        phones: [
          { kind: 'mobile', number: '0151 23456789' },
          { kind: 'work', number: '030 1234567' },
        ],
      }),
      contact({
        tenant: 'schreinerei',
        name: 'Jürgen Möller',
        city: 'Potsdam',
        phones: [{ kind: 'home', number: '0331 998877' }],
      }),
      contact({
        tenant: 'elektro',
        name: 'Zoë Fischer',
        company: 'Fischer Bau GmbH',
        phones: [{ kind: 'work', number: '089 445566' }],
      }),
    ];
    for (let i = 0; i < extraContacts; i++) {
      contacts.push(contact({ tenant: i % 2 ? 'elektro' : 'schreinerei', name: `Kunde ${String(i).padStart(3, '0')}` }));
    }
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const calls = [
      store.activity.create<Call>('call', {
        tenant: 'schreinerei',
        direction: 'in',
        remote_number: '+4915123456789',
        dialled_number: '+49305550100',
        started_at: at(90),
        answered_at: at(89),
        ended_at: at(85),
        outcome: 'answered',
        taken_by: 'tina',
      }),
      store.activity.create<Call>('call', {
        tenant: 'elektro',
        direction: 'in',
        remote_number: '+4989445566',
        dialled_number: '+49895550200',
        started_at: at(30),
        outcome: 'missed',
      }),
    ];
    const notes = [
      store.activity.create<Note>('note', {
        tenant: 'schreinerei',
        call_id: calls[0]!.id,
        contact_id: contacts[0]!.id,
        subject: 'Küchenfront ausmessen',
        body: 'Frau Bäcker bittet um Rückruf wegen eines Termins zum Ausmessen.',
        callback_requested: true,
        callback_number: '0151 23456789',
      }),
      store.activity.create<Note>('note', {
        tenant: 'elektro',
        subject: 'Sicherung fliegt raus',
        body: 'Bitte heute noch zurückrufen.',
        callback_requested: true,
        callback_number: '089 445566',
        assignee: 'meister',
      }),
    ];
    // The Schreinerei's week (the firm overview shows its mode); Elektro Weiß has none yet.
    const schedules = new FirmScheduleRepository(
      store.writer,
      () => true,
      () => true,
    );
    store.write(() => {
      schedules.set('schreinerei', 'bundesland', encodeSchedulePart('bundesland', 'BE'));
      schedules.set(
        'schreinerei',
        'consultation',
        encodeSchedulePart('consultation', { tue: [{ start: '08:00', end: '12:00' }], thu: [{ start: '14:00', end: '18:00' }] }),
      );
      schedules.set(
        'schreinerei',
        'closures',
        encodeSchedulePart('closures', [{ from: '2027-07-19', to: '2027-08-06', reason: 'Betriebsurlaub' }]),
      );
    });
    return { contacts, calls, notes };
  } finally {
    store.close();
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the page as it is — or only on the part `include` selects —
 * and returns the serious and critical violations. The page's context must be created with
 * `bypassCSP: true`: axe arrives as a script tag.
 */
export async function seriousAxeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (selector) => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document | string, opts: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(selector ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, include);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Calls the host API from inside the page (same origin, the shell's cookie): settings without clicking. */
export async function invokeInPage(page: Page, method: string, input: unknown): Promise<unknown> {
  return page.evaluate(
    async ([m, i]) => {
      const response = await fetch('/api/invoke', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: m, input: i }),
      });
      return (await response.json()) as unknown;
    },
    [method, input] as const,
  );
}
