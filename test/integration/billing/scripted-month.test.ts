import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../protocol/billing-contract.js';
import { contractRecordId } from '../../../protocol/firm-contract.js';
import { PgDatabase } from '../../../server/db/pg-database.js';
import type { Directory } from '../../../server/home/directory.js';
import { freePort, startBaresip, type Baresip } from '../../helpers/baresip.js';
import { openSipApp, type SipApp } from '../../helpers/sip-app.js';
import { parseCsv } from '../../helpers/semicolon-csv.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';
import { rawRequest, syncFixture, type SyncClient, type SyncFixture } from '../../helpers/sync-fixture.js';

/**
 * One month of an office service through the real stack: a baresip caller rings three firms through
 * Kamailio (acc CDRs written into the server's PostgreSQL), a scripted app on its certified WSS
 * connection answers, and the app's facts — hold, after-call work, notes, a spam flag — reach the
 * server through the real sync engine; the lead confirms the flag and books an item, a callback goes
 * out through the trunk with a firm's number. The calls happen now; each CDR is then moved, by whole
 * seconds, onto its scripted day of November 2026 (the PBX's own durations stay as measured), so one
 * run covers a contract change on the 15th. The report comes from the HTTP route and from
 * `npm run admin -- report`, and its PDF (pdftotext) and CSV are compared with figures worked out by
 * hand below.
 *
 * Every call is held for about two seconds (five for the one with hold): the PBX may measure a
 * second more or less, so the scripted figures are chosen such that every such talk time lands in
 * the same Takt step.
 */
const MONTH = '2026-11';
const CALLER = '+4917612345678';
const MOBILE = '+4915199887766';
const NUMBERS = { holz: '+49301111111', rohr: '+49302222222', maler: '+49303333333' } as const;
type Firm = keyof typeof NUMBERS;
const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'holz', name: 'Tischlerei Holz', numbers: [NUMBERS.holz] },
    { id: 'rohr', name: 'Sanitär Rohr', numbers: [NUMBERS.rohr] },
    { id: 'maler', name: 'Maler Bunt', numbers: [NUMBERS.maler] },
  ],
  users: [
    { id: 'anna', name: 'Anna Abel', role: 'teleworker', tenants: ['holz', 'rohr', 'maler'], certificates: [] },
    { id: 'max', name: 'Max Bunt', role: 'craftsman', tenants: ['maler'], certificates: [] },
    { id: 'lea', name: 'Lea Leitung', role: 'lead', tenants: [], certificates: [] },
  ],
};

const TERMS = { countHold: true, countAfterCallWork: false, freeBelowSeconds: 0, vatBasisPoints: 1900 } as const;
const CONTRACTS: Record<Firm, BillingContract[]> = {
  holz: [
    // 1.–14.: a budget of 2 minutes a month for 99,00 €, each extra minute 1,50 €, 60/60.
    {
      model: 'budget',
      period: 'month',
      includedMinutes: 2,
      feeCents: 9900,
      extraMinuteCents: 150,
      ...TERMS,
      takt: { firstSeconds: 60, nextSeconds: 60 },
      validFrom: '2026-11-01',
    },
    // From the 15th: 1,20 € a minute at 30/30, after-call work counts up to 30 s.
    {
      model: 'per_minute',
      perMinuteCents: 120,
      ...TERMS,
      takt: { firstSeconds: 30, nextSeconds: 30 },
      countAfterCallWork: true,
      afterCallWorkCapSeconds: 30,
      validFrom: '2026-11-15',
    },
  ],
  // 1,50 € a minute at 6/6; hold does not count, after-call work does (no cap).
  rohr: [
    {
      model: 'per_minute',
      perMinuteCents: 150,
      ...TERMS,
      takt: { firstSeconds: 6, nextSeconds: 6 },
      countHold: false,
      countAfterCallWork: true,
      validFrom: '2026-11-01',
    },
  ],
  // 2,50 € a call at 60/60, callbacks on the firm's behalf too; letters at 0,95 € a piece.
  maler: [
    {
      model: 'per_call',
      perCallCents: 250,
      ...TERMS,
      takt: { firstSeconds: 60, nextSeconds: 60 },
      outgoingCalls: true,
      itemPrices: [{ name: 'Briefversand', unitCents: 95 }],
      validFrom: '2026-11-01',
    },
  ],
};

interface Scripted {
  key: string;
  firm: Firm;
  /** Day of November 2026 and Berlin time the CDR is moved to. */
  day: number;
  time: string;
  direction: 'in' | 'out';
  /** How long the caller stays connected. */
  talkMs: number;
  hold?: number;
  afterCallWork?: number;
  spam?: boolean;
  subject?: string;
}

// The expected billed seconds and net cents of each call, worked out by hand (talk T is 1–3 s; 4–6 s for r2):
const SCRIPT: (Scripted & { billed: number; cents: number | null; status: string })[] = [
  // holz, budget 60/60 (1.–14.): every call up to a minute bills 60 s.
  {
    key: 'h1',
    firm: 'holz',
    day: 3,
    time: '09:15',
    direction: 'in',
    talkMs: 2000,
    subject: 'Angebot Treppe',
    billed: 60,
    cents: null,
    status: 'berechnet',
  },
  // After-call work does not count under the budget: still 60 s.
  {
    key: 'h2',
    firm: 'holz',
    day: 10,
    time: '14:02',
    direction: 'in',
    talkMs: 2000,
    afterCallWork: 50,
    billed: 60,
    cents: null,
    status: 'berechnet',
  },
  {
    key: 'h3',
    firm: 'holz',
    day: 12,
    time: '10:00',
    direction: 'in',
    talkMs: 2000,
    spam: true,
    billed: 0,
    cents: 0,
    status: 'nicht berechnet',
  },
  // holz, per minute 30/30 (from the 15th): T + min(40, 30) = 31–33 s → 60 s → 1,20 €.
  {
    key: 'h4',
    firm: 'holz',
    day: 20,
    time: '11:11',
    direction: 'in',
    talkMs: 2000,
    afterCallWork: 40,
    billed: 60,
    cents: 120,
    status: 'berechnet',
  },
  // T ≤ 30 s → 30 s → 0,60 €.
  { key: 'h5', firm: 'holz', day: 24, time: '16:45', direction: 'in', talkMs: 2000, billed: 30, cents: 60, status: 'berechnet' },
  // rohr, 6/6 at 1,50 €/min: T + 20 = 21–23 s → 24 s → 0,60 €.
  {
    key: 'r1',
    firm: 'rohr',
    day: 5,
    time: '08:30',
    direction: 'in',
    talkMs: 2000,
    afterCallWork: 20,
    subject: 'Rohrbruch Keller',
    billed: 24,
    cents: 60,
    status: 'berechnet',
  },
  // Talk 4–6 s of which 3 s on hold (not counted) + 9 s after-call work = 10–12 s → 12 s → 0,30 €.
  {
    key: 'r2',
    firm: 'rohr',
    day: 18,
    time: '13:40',
    direction: 'in',
    talkMs: 5000,
    hold: 3,
    afterCallWork: 9,
    billed: 12,
    cents: 30,
    status: 'berechnet',
  },
  // maler, per call 2,50 € at 60/60: the customer's call and the callback on the firm's behalf.
  {
    key: 'm1',
    firm: 'maler',
    day: 7,
    time: '10:20',
    direction: 'in',
    talkMs: 2000,
    subject: 'Rückruf wegen Farbe',
    billed: 60,
    cents: 250,
    status: 'berechnet',
  },
  {
    key: 'm2',
    firm: 'maler',
    day: 21,
    time: '15:05',
    direction: 'out',
    talkMs: 2000,
    billed: 60,
    cents: 250,
    status: 'berechnet',
  },
];

/**
 * The month per firm, by hand.
 * holz: budget part 1.–14. = 14 of 30 days: fee 99,00 × 14/30 = 46,20 €; included 2 min × 14/30 =
 *   0,93 → 1 min; used 60 + 60 s (the spam call is not billed) = 120 s, 60 s beyond = 1 × 1,50 €.
 *   Net 47,70 €, VAT 9,063 → 9,06 €. Per minute part: 1,20 + 0,60 = 1,80 €, VAT 0,342 → 0,34 €.
 *   Month: net 49,50 €, VAT 9,40 €, gross 58,90 €.
 * rohr: 0,60 + 0,30 = 0,90 €, VAT 0,171 → 0,17 €, gross 1,07 €.
 * maler: 2 calls × 2,50 € + 3 letters × 0,95 € = 7,85 €, VAT 1,4915 → 1,49 €, gross 9,34 €.
 */
const EXPECTED: Record<Firm, { net: string; vat: string; gross: string }> = {
  holz: { net: '49,50', vat: '9,40', gross: '58,90' },
  rohr: { net: '0,90', vat: '0,17', gross: '1,07' },
  maler: { net: '7,85', vat: '1,49', gross: '9,34' },
};

const root = join(import.meta.dirname, '..', '..', '..');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), 'vermittlung-scripted-month-'));

let fixture: SyncFixture;
let db: PgDatabase;
let stack: Stack;
let app: SipApp;
let caller: Baresip;
let trunk: Baresip;
let anna: SyncClient;
let lea: SyncClient;
/** Our call record id per scripted key, and the PBX's Call-ID. */
const placed = new Map<string, { record: string; pbxCallId: string; talkSeconds?: number }>();

beforeAll(async () => {
  fixture = await syncFixture('postgres', DIRECTORY);
  db = new PgDatabase(fixture.databaseUrl!, () => undefined);
  const trunkPort = await freePort();
  stack = await startTestStack(fixture.home.home, { trunk: `127.0.0.1:${trunkPort}`, cdrPostgresUrl: fixture.databaseUrl! });
  const cert = fixture.cert('anna');
  app = openSipApp({
    user: 'anna',
    domain: stack.info.sipDomain,
    url: () => stack.info.pbxWss,
    tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: fixture.home.caPem },
    logHome: fixture.home.home,
  });
  expect(await app.register()).toBe('SIP/2.0 200 OK');
  const { sipDomain, ports } = stack.info;
  trunk = await startBaresip({ user: MOBILE, domain: sipDomain, pbxPort: ports.udp, sipPort: trunkPort, autoAnswer: true });
  caller = await startBaresip({ user: CALLER, domain: sipDomain, pbxPort: ports.udp });
  anna = fixture.client('anna');
  lea = fixture.client('lea');
  anna.engine.start();
  lea.engine.start();
}, 180_000);

afterAll(async () => {
  app?.close();
  await caller?.stop();
  await trunk?.stop();
  await stack?.stop();
  await db?.close();
  await fixture?.close();
  rmSync(work, { recursive: true, force: true });
});

async function callIn(number: string, talkMs: number): Promise<string> {
  const mark = caller.events.length;
  const seen = app.messages.length;
  await caller.command('dial', `sip:${number}@${stack.info.sipDomain}`);
  const callId = await app.answerNext(seen);
  await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  await pause(talkMs);
  await caller.command('hangup');
  await caller.waitForEvent('CALL_CLOSED', 8000, mark);
  return callId;
}

async function callOut(asNumber: string, talkMs: number): Promise<string> {
  const mark = trunk.events.length;
  const out = await app.invite(MOBILE, [`P-Preferred-Identity: <sip:${asNumber}@${stack.info.sipDomain}>`]);
  expect(out.status).toBe(200);
  await trunk.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  await pause(talkMs);
  expect(await app.bye(out.callId)).toBe(200);
  await trunk.waitForEvent('CALL_CLOSED', 8000, mark);
  return out.callId;
}

/** What the answering app records of a call and syncs: the call, its facts, its note. */
function recordCall(call: Scripted, pbxCallId: string): string {
  const id = randomUUID();
  const write = (field: string, value: string | boolean) => anna.store.write('call', id, call.firm, field, value);
  write('direction', call.direction);
  write('remote_number', call.direction === 'in' ? CALLER : MOBILE);
  write('outcome', 'answered');
  write('taken_by', 'anna');
  write('pbx_call_id', pbxCallId);
  if (call.hold !== undefined) write('hold_seconds', String(call.hold));
  if (call.afterCallWork !== undefined) write('after_call_work_seconds', String(call.afterCallWork));
  if (call.spam) write('no_bill_reason', 'Spam');
  if (call.subject) {
    const note = randomUUID();
    anna.store.write('note', note, call.firm, 'call_id', id);
    anna.store.write('note', note, call.firm, 'subject', call.subject);
    anna.store.write('note', note, call.firm, 'author', 'anna');
  }
  return id;
}

/** Moves a call's CDR to its scripted Berlin day and time in November 2026, keeping its durations. */
async function moveCdr(call: Scripted, pbxCallId: string): Promise<void> {
  const [hh, mm] = call.time.split(':').map(Number) as [number, number];
  // November is CET (UTC+1) throughout; half past the minute, as the shift is whole seconds.
  const target = Date.UTC(2026, 10, call.day, hh - 1, mm, 30) / 1000;
  const { rows } = await db.query<{ invite_ts: string }>('SELECT invite_ts FROM pbx_cdr WHERE call_id = $1', [pbxCallId]);
  expect(rows).toHaveLength(1);
  // Whole seconds keep the PBX's "seconds.microseconds" form, and so the durations, exactly.
  const shift = Math.round(target - Number(rows[0]!.invite_ts));
  const moved = (column: string) =>
    `CASE WHEN ${column} ~ '^[0-9.]+$' THEN (${column}::numeric + $2::int)::text ELSE ${column} END`;
  await db.query(
    `UPDATE pbx_cdr SET invite_ts = ${moved('invite_ts')}, answer_ts = ${moved('answer_ts')}, end_ts = ${moved('end_ts')},
            start_time = start_time + make_interval(secs => $2::int),
            end_time = end_time + make_interval(secs => $2::int)
      WHERE call_id = $1`,
    [pbxCallId, shift],
  );
}

const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ');

function admin(...args: string[]) {
  const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'server/admin/cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 120_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('a scripted month through the real stack', () => {
  it('meters the calls from the PBX and the apps, and the lead sets up contracts, confirms spam and books an item', async () => {
    // The lead enters the contracts and an item from the app's side of sync.
    for (const [firm, versions] of Object.entries(CONTRACTS)) {
      for (const contract of versions) {
        const id = contractRecordId(firm, contract.validFrom);
        lea.store.write('firm_contract', id, firm, 'valid_from', contract.validFrom);
        lea.store.write('firm_contract', id, firm, 'terms', JSON.stringify(contract));
      }
    }
    const item = randomUUID();
    lea.store.write('billing_item', item, 'maler', 'date', '2026-11-26');
    lea.store.write('billing_item', item, 'maler', 'description', 'Briefversand');
    lea.store.write('billing_item', item, 'maler', 'quantity', '3');
    lea.store.write('billing_item', item, 'maler', 'unit_cents', '95');
    expect(await lea.engine.syncNow()).toMatchObject({ pending: 0, quarantined: 0 });

    for (const call of SCRIPT) {
      const pbxCallId =
        call.direction === 'in' ? await callIn(NUMBERS[call.firm], call.talkMs) : await callOut(NUMBERS[call.firm], call.talkMs);
      placed.set(call.key, { record: recordCall(call, pbxCallId), pbxCallId });
    }
    expect(await anna.engine.syncNow()).toMatchObject({ pending: 0, quarantined: 0 });
    await expect.poll(async () => (await db.query('SELECT 1 FROM pbx_cdr')).rows.length, { timeout: 10_000 }).toBe(SCRIPT.length);
    for (const call of SCRIPT) {
      const { rows } = await db.query<{ talk: number }>(
        'SELECT round(end_ts::numeric - answer_ts::numeric)::int AS talk FROM pbx_cdr WHERE call_id = $1',
        [placed.get(call.key)!.pbxCallId],
      );
      // The scripts' margins hold: the PBX measured the scripted time within a second.
      expect(Math.abs(rows[0]!.talk - call.talkMs / 1000), call.key).toBeLessThanOrEqual(1);
      placed.get(call.key)!.talkSeconds = rows[0]!.talk;
      await moveCdr(call, placed.get(call.key)!.pbxCallId);
    }

    // The lead confirms the spam flag (a field only a lead may write).
    await lea.engine.syncNow();
    const spam = placed.get('h3')!.record;
    expect(lea.store.get('call', spam, 'no_bill_reason')).toBe('Spam');
    lea.store.write('call', spam, 'holz', 'no_bill_confirmed_by', 'lea');
    expect(await lea.engine.syncNow()).toMatchObject({ pending: 0, quarantined: 0 });

    // The callback on the firm's behalf is in the firm's history, as its craftsman's app pulls it.
    const max = fixture.client('max');
    max.engine.start();
    await max.engine.syncNow();
    const callback = placed.get('m2')!.record;
    expect(max.store.get('call', callback, 'direction')).toBe('out');
    expect(max.store.get('call', callback, 'pbx_call_id')).toBe(placed.get('m2')!.pbxCallId);
  }, 150_000);

  it('prints, over HTTP, each firm’s PDF and CSV with the hand-computed units and amounts', async () => {
    for (const firm of Object.keys(NUMBERS) as Firm[]) {
      const pdf = await rawRequest(
        fixture.url,
        fixture.tls('lea'),
        'GET',
        `/billing/report?tenant=${firm}&month=${MONTH}&format=pdf`,
      );
      expect(pdf.status, pdf.text.slice(0, 200)).toBe(200);
      expect(pdf.headers['x-report-frozen']).toBe('1');
      const pdfFile = join(work, `${firm}-http.pdf`);
      writeFileSync(pdfFile, pdf.body);
      const text = pdfText(pdfFile);
      const want = EXPECTED[firm];
      expect(text, firm).toMatch(new RegExp(`Summe netto .*${want.net} €`));
      expect(text, firm).toContain(`Summe brutto ${want.gross} €`);
      expect(text, firm).toMatch(new RegExp(`Umsatzsteuer.* ${want.vat} €`));
      // Each call's line: its day and time, then the billed time after the Takt (m:ss) and its amount.
      const lines = text.split('\n');
      for (const call of SCRIPT.filter((c) => c.firm === firm)) {
        const line = lines.find((l) => l.startsWith(`${String(call.day).padStart(2, '0')}.11.2026 ${call.time} `));
        expect(line, call.key).toBeDefined();
        const billed = call.billed === 0 ? '–' : `${Math.floor(call.billed / 60)}:${String(call.billed % 60).padStart(2, '0')}`;
        expect(`${line} `, call.key).toContain(` ${billed} `);
        if (call.cents) expect(line, call.key).toContain(` ${(call.cents / 100).toFixed(2).replace('.', ',')} €`);
      }
      if (firm === 'holz') {
        expect(text).toContain('Grundgebühr Zeitkontingent 1 46,20 €');
        expect(text).toContain('Mehrminuten über dem Kontingent 1 1:00 1,50 €');
        expect(text).toContain('01.11.2026 – 14.11.2026 (14/30 Tage) 1:00 2:00 200 % 1:00 46,20 € 1,50 €');
      }
      if (firm === 'maler') expect(text).toMatch(/26\.11\.2026 .*Briefversand.* 3 .*0,95 € .*2,85 €/);

      const csv = await rawRequest(
        fixture.url,
        fixture.tls('lea'),
        'GET',
        `/billing/report?tenant=${firm}&month=${MONTH}&format=csv`,
      );
      expect(csv.status).toBe(200);
      expectCsv(firm, csv.text);
    }
  }, 60_000);

  it('gives the same frozen bytes through `npm run admin -- report`, and refuses the craftsman another firm', async () => {
    // One firm is enough for the CLI (each run starts a process); it must deliver the frozen bytes.
    const out = join(work, 'holz-cli.pdf');
    const run = admin(
      'report',
      'holz',
      '--month',
      MONTH,
      '--out',
      out,
      '--home',
      fixture.home.home,
      '--database',
      fixture.databaseUrl!,
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('frozen report');
    expect(readFileSync(out).equals(readFileSync(join(work, 'holz-http.pdf')))).toBe(true);
    const csvOut = join(work, 'holz-cli.csv');
    expect(
      admin('report', 'holz', '--month', MONTH, '--out', csvOut, '--home', fixture.home.home, '--database', fixture.databaseUrl!)
        .code,
    ).toBe(0);
    expectCsv('holz', readFileSync(csvOut, 'utf8'));

    const other = await rawRequest(
      fixture.url,
      fixture.tls('max'),
      'GET',
      `/billing/report?tenant=holz&month=${MONTH}&format=pdf`,
    );
    expect(other.status).toBe(403);
    const own = await rawRequest(
      fixture.url,
      fixture.tls('max'),
      'GET',
      `/billing/report?tenant=maler&month=${MONTH}&format=pdf`,
    );
    expect(own.status).toBe(200);
    expect(own.body.equals(readFileSync(join(work, 'maler-http.pdf')))).toBe(true);
    const teleworker = await rawRequest(
      fixture.url,
      fixture.tls('anna'),
      'GET',
      `/billing/report?tenant=maler&month=${MONTH}&format=csv`,
    );
    expect(teleworker.status).toBe(403);
  }, 120_000);
});

/** Every call's row and the totals in the CSV, against the script. */
function expectCsv(firm: Firm, text: string): void {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows = parseCsv(text.slice(1));
  const calls = rows.filter((r) => r[0] === 'Anruf' || r[0] === 'Anruf ausgehend');
  const script = SCRIPT.filter((c) => c.firm === firm);
  expect(
    calls.map((r) => r[1]),
    firm,
  ).toEqual(script.map((c) => `${String(c.day).padStart(2, '0')}.11.2026`));
  for (const [i, call] of script.entries()) {
    const row = calls[i]!;
    expect(row[0]).toBe(call.direction === 'in' ? 'Anruf' : 'Anruf ausgehend');
    expect(row[2]).toBe(call.time);
    expect(row[5]).toBe('Anna Abel');
    expect(Number(row[6]), call.key).toBe(placed.get(call.key)!.talkSeconds);
    expect(row[7], call.key).toBe(String(call.hold ?? 0));
    expect(row[8], call.key).toBe(String(call.afterCallWork ?? 0));
    expect(Number(row[10]), call.key).toBe(call.billed);
    if (call.cents !== null) expect(row[13], call.key).toBe((call.cents / 100).toFixed(2).replace('.', ','));
    expect(row[14], call.key).toBe(call.status);
    if (call.spam) expect(row[15], call.key).toBe('nicht berechnen: Spam (bestätigt)');
    if (call.direction === 'out') expect(row[15], call.key).toBe('ausgehend');
    expect(row[16], call.key).toBe(call.subject ?? '');
  }
  const total = (label: string) => rows.find((r) => r[0] === label)?.[13];
  expect(total('Summe netto'), firm).toBe(EXPECTED[firm].net);
  expect(total('Summe brutto'), firm).toBe(EXPECTED[firm].gross);
}
