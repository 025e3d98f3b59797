/**
 * `npm run bench -- report`: the monthly report of one firm with 10,000 calls, from its billing lines
 * to the frozen PDF (computation, corrections check, PDF, freezing in PGlite), and the same run's
 * baseline: pdfkit writing the same 10,000 rows as plain lines, without the report's layout. Each
 * measure is a function in MEASURES; a further metric of the billing suite is one more entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { BillingCallLine } from '../protocol/billing-lines.js';
import { ReportService } from '../server/billing/report-service.js';
import { migrate } from '../server/db/migrations.js';
import { PgliteDatabase } from '../server/db/pglite-database.js';
import { BASE_TERMS, callLine, fixedSource } from '../test/helpers/billing-lines.js';
import { cdrIngest } from './_cdr-ingest.js';
import { emit, onAbort, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'report';
const CALLS = size(10_000, 300);
const TENANT = 'maler-schmidt';
const NAMES = ['Frau Müller', 'Herr Özdemir', 'Familie Weiß', null, 'Hausverwaltung Nord', null];
const SUBJECTS = ['Angebot Fassade', 'Rückruf erbeten', 'Termin verschieben', null, 'Reklamation Treppenhaus'];

/** A month of calls spread over November's days and office hours, with holds, work and a few flags. */
function monthOfCalls(count: number): BillingCallLine[] {
  return Array.from({ length: count }, (_, i) => {
    const day = `2026-11-${String(1 + (i % 30)).padStart(2, '0')}`;
    const minuteOfDay = 7 * 60 + ((i * 7) % (12 * 60));
    const time = `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const talk = 3 + ((i * 37) % 400);
    return callLine(TENANT, day, time, talk, {
      callId: `bench-${i}`,
      remoteNumber: `+49301${String(100000 + i)}`,
      remoteName: NAMES[i % NAMES.length]!,
      holdSeconds: i % 4 === 0 ? Math.min(talk, 20) : 0,
      afterCallWorkSeconds: (i * 13) % 120,
      appTalkSeconds: i % 97 === 0 ? talk + 4 : talk,
      noBill: i % 211 === 0 ? { reason: 'Spam', confirmedBy: null } : null,
      noteSubject: SUBJECTS[i % SUBJECTS.length]!,
    });
  });
}

interface Context {
  db: PgliteDatabase;
  calls: BillingCallLine[];
}

/** The report as the lead gets it at the month's first download after it closed: computed, printed, frozen. */
async function reportMonth(ctx: Context): Promise<void> {
  const lines = {
    contracts: {
      [TENANT]: [
        {
          model: 'budget',
          period: 'month',
          includedMinutes: 600,
          feeCents: 29_900,
          extraMinuteCents: 120,
          ...BASE_TERMS,
        } as const,
        {
          model: 'per_minute',
          perMinuteCents: 110,
          ...BASE_TERMS,
          takt: { firstSeconds: 60, nextSeconds: 10 },
          countAfterCallWork: true,
          afterCallWorkCapSeconds: 60,
          validFrom: '2026-11-16',
        } as const,
      ],
    },
    calls: ctx.calls,
    items: [],
  };
  const service = new ReportService({
    db: ctx.db,
    source: fixedSource(lines),
    tenantName: () => 'Malerbetrieb Schmidt',
    letterhead: () => ({ name: 'Büroservice Sonnenschein', lines: ['Hauptstraße 1', '12345 Musterstadt'] }),
    now: () => Date.parse('2026-12-01T08:00:00Z'),
  });
  const started = performance.now();
  const file = await service.file(TENANT, '2026-11', 'pdf');
  const ms = performance.now() - started;
  if (!file.frozen || file.body.length < 1000) throw new Error('the report was not frozen as a PDF');
  emit(SUITE, 'report_month_10k_calls_ms', ms, 'ms');
  const baseline = await barePdf(ctx.calls);
  emit(SUITE, 'bare_pdf_10k_rows_ms', baseline, 'ms');
  emit(SUITE, 'report_vs_bare_pdf_ratio', ms / baseline, 'ratio');
}

/** The floor of any PDF of these calls: one plain text line per call, pdfkit's own flow, no table. */
async function barePdf(calls: readonly BillingCallLine[]): Promise<number> {
  const started = performance.now();
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { CreationDate: new Date(0) } });
  const done = new Promise<void>((resolve) => doc.on('end', resolve));
  doc.on('data', () => undefined);
  doc.font('Helvetica').fontSize(7);
  for (const c of calls) {
    doc.text(`${c.startedAt} ${c.remoteNumber} ${c.remoteName ?? ''} ${c.talkSeconds} ${c.holdSeconds} ${c.noteSubject ?? ''}`, {
      lineBreak: false,
    });
  }
  doc.end();
  await done;
  return performance.now() - started;
}

const MEASURES: { name: string; timeoutMs: number; run: (ctx: Context) => Promise<void> }[] = [
  { name: 'report of a 10k-call month', timeoutMs: 120_000, run: reportMonth },
  { name: 'CDR ingestion', timeoutMs: 180_000, run: (ctx) => cdrIngest(ctx.db, SUITE) },
];

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-report-'));
  const removeDir = onAbort(() => rmSync(dir, { recursive: true, force: true }));
  const db = await step('PGlite start and migrate', 120_000, async () => {
    const opened = await PgliteDatabase.open(dir);
    await migrate(opened);
    return opened;
  });
  try {
    const ctx: Context = { db, calls: monthOfCalls(CALLS) };
    for (const measure of MEASURES) await step(measure.name, measure.timeoutMs, () => measure.run(ctx));
  } finally {
    await step('PGlite close', 30_000, () => db.close());
    removeDir();
    rmSync(dir, { recursive: true, force: true });
  }
});
