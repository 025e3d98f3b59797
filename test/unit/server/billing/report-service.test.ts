import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../../../server/billing/frozen-reports.js';
import { ReportService, UnknownTenantError } from '../../../../server/billing/report-service.js';
import { callLine, fixedSource } from '../../../helpers/billing-lines.js';
import { SAMPLE_MONTH, SAMPLE_TENANT, SAMPLE_TENANT_NAME, sampleLines } from '../../../helpers/billing-month.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';
import { parseCsv } from '../../../helpers/semicolon-csv.js';

const pglite = migratedPglite('vermittlung-report-service-');
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-report-service-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pdfText = (pdf: Buffer, name: string): string => {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
};

describe('freezing and corrections', () => {
  const lines = sampleLines();
  let now = Date.parse('2026-11-20T12:00:00Z');
  const service = () =>
    new ReportService({
      db: pglite.db,
      source: fixedSource(lines),
      tenantName: (id) => (id === SAMPLE_TENANT ? SAMPLE_TENANT_NAME : undefined),
      letterhead: () => ({ name: 'Büroservice Sonnenschein', lines: [] }),
      now: () => now,
    });

  it('reports an open month provisionally, from the current lines each time', async () => {
    const first = await service().file(SAMPLE_TENANT, SAMPLE_MONTH, 'pdf');
    expect(first).toMatchObject({ frozen: false, fileName: 'Leistungsnachweis-maler-schmidt-2026-11-vorlaeufig.pdf' });
    expect(pdfText(first.body, 'open.pdf')).toContain('Vorläufig');
    const { rows } = await pglite.db.query('SELECT 1 FROM billing_report');
    expect(rows).toEqual([]);
  });

  let delivered: Buffer;
  it('freezes a closed month at its first report and delivers the same bytes ever after', async () => {
    now = Date.parse('2026-12-01T08:00:00Z');
    const file = await service().file(SAMPLE_TENANT, SAMPLE_MONTH, 'pdf');
    expect(file).toMatchObject({ frozen: true, fileName: 'Leistungsnachweis-maler-schmidt-2026-11.pdf' });
    delivered = file.body;
    const { rows } = await pglite.db.query<{ month: string; pdf_sha256: string; frozen_at: Date }>(
      'SELECT month, pdf_sha256, frozen_at FROM billing_report WHERE tenant = $1',
      [SAMPLE_TENANT],
    );
    expect(rows.map((r) => [r.month, r.pdf_sha256])).toEqual([['2026-11', sha256(delivered)]]);
    expect(pdfText(delivered, 'frozen.pdf')).toContain('Festgeschrieben am 01.12.2026');

    // Late-synced edits: c5 is marked spam, c7's hold grows, and a CDR of the 29th arrives late.
    lines.calls.find((c) => c.callId === 'c5')!.noBill = { reason: 'Spam', confirmedBy: null };
    lines.calls.find((c) => c.callId === 'c7')!.holdSeconds = 60;
    lines.calls.push(callLine(SAMPLE_TENANT, '2026-11-29', '10:00', 30, { callId: 'late' }));
    now = Date.parse('2026-12-03T08:00:00Z');
    const again = await service().file(SAMPLE_TENANT, SAMPLE_MONTH, 'pdf');
    expect(again.body.equals(delivered)).toBe(true);
    const csv = parseCsv((await service().file(SAMPLE_TENANT, SAMPLE_MONTH, 'csv')).body.toString('utf8').slice(1));
    expect(csv.find((r) => r[0] === 'Summe brutto')![13]).toBe('78,90');
  });

  it('puts the late change into the next month as correction lines', async () => {
    const { report } = await service().report(SAMPLE_TENANT, '2026-12');
    // c5 1,60 € → 0; c7 125 − 60 = 65 s + 10 s work = 75 s → 80 s at 60/10 → 1,60 € (was 2,80 €); late 60 s → 1,20 €.
    expect(report.corrections).toHaveLength(1);
    const correction = report.corrections[0]!;
    expect(correction.lines.map((l) => [l.key, l.before, l.after])).toEqual([
      [
        'call:c5',
        { status: 'billed', billedSeconds: 80, amountCents: 160 },
        { status: 'no_bill', billedSeconds: 0, amountCents: 0 },
      ],
      [
        'call:c7',
        { status: 'billed', billedSeconds: 140, amountCents: 280 },
        { status: 'billed', billedSeconds: 80, amountCents: 160 },
      ],
      [
        'call:late',
        { status: 'absent', billedSeconds: 0, amountCents: 0 },
        { status: 'billed', billedSeconds: 60, amountCents: 120 },
      ],
    ]);
    // November per minute: 10,80 € − 1,60 − 1,20 + 1,20 = 9,20 €, VAT 1,748 → 1,75 € (was 2,05 €).
    expect(correction).toMatchObject({ deltaNetCents: -160, deltaVatCents: -30, deltaGrossCents: -190 });
    expect(report.totals).toMatchObject({ netCents: -160, vatCents: -30, grossCents: -190 });
    expect(report.byKind).toContainEqual({ kind: 'correction', quantity: 1, billedSeconds: 0, netCents: -160 });
    const text = (await service().file(SAMPLE_TENANT, '2026-12', 'pdf')).body;
    const pdf = pdfText(text, 'december.pdf').replace(/[ ]+/g, ' ');
    expect(pdf).toContain('Korrekturen bereits abgerechneter Monate');
    expect(pdf).toContain('November 2026 17.11.2026 08:00 +4930123456 berechnet, 1:20 nicht berechnet -1,60 €');
    expect(pdf).toContain('Differenz netto -1,60 €');
  });

  it('corrects each change once: a frozen correction is not charged again', async () => {
    now = Date.parse('2027-01-01T10:00:00Z');
    expect((await service().file(SAMPLE_TENANT, '2026-12', 'pdf')).frozen).toBe(true);
    const january = await service().report(SAMPLE_TENANT, '2027-01');
    expect(january.report.corrections).toEqual([]);

    lines.calls.find((c) => c.callId === 'c5')!.noBill = null;
    const later = await service().report(SAMPLE_TENANT, '2027-01');
    expect(later.report.corrections.map((c) => [c.month, c.deltaNetCents, c.lines.map((l) => l.key)])).toEqual([
      ['2026-11', 160, ['call:c5']],
    ]);
  });

  it('keeps a closed month without any contract provisional, so a contract entered later still applies', async () => {
    const saved = lines.contracts[SAMPLE_TENANT]!;
    lines.contracts[SAMPLE_TENANT] = [];
    const early = await service().file(SAMPLE_TENANT, '2026-09', 'pdf');
    expect(early.frozen).toBe(false);
    lines.contracts[SAMPLE_TENANT] = saved;
    const { rows } = await pglite.db.query('SELECT month FROM billing_report WHERE month = $1', ['2026-09']);
    expect(rows).toEqual([]);
  });

  it('refuses a tenant the directory does not know and a malformed month', async () => {
    await expect(service().file('nobody', SAMPLE_MONTH, 'pdf')).rejects.toThrow(UnknownTenantError);
    await expect(service().file(SAMPLE_TENANT, '2026-13', 'pdf')).rejects.toThrow(RangeError);
  });
});
