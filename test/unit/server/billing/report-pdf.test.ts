import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeMonth } from '../../../../server/billing/compute-month.js';
import { reportPdf } from '../../../../server/billing/report-pdf.js';
import { callLine } from '../../../helpers/billing-lines.js';
import {
  SAMPLE_MONTH,
  SAMPLE_TENANT,
  SAMPLE_TENANT_NAME,
  TAKT_CASES,
  sampleLines,
  taktLines,
} from '../../../helpers/billing-month.js';
import { REPO_ROOT } from '../../../helpers/repo-root.js';

const dir = mkdtempSync(join(tmpdir(), 'vermittlung-report-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const letterhead = { name: 'Büroservice Sonnenschein', lines: ['Hauptstraße 1', '12345 Musterstadt'] };

function sampleReport(extraCalls = 0) {
  const lines = sampleLines();
  for (let i = 0; i < extraCalls; i++) {
    lines.calls.push(
      callLine(SAMPLE_TENANT, `2026-11-${String(2 + (i % 27)).padStart(2, '0')}`, '07:00', 30, { callId: `x${i}` }),
    );
  }
  return computeMonth({
    tenantId: SAMPLE_TENANT,
    tenantName: SAMPLE_TENANT_NAME,
    month: SAMPLE_MONTH,
    contracts: lines.contracts[SAMPLE_TENANT]!.map((contract) => ({ tenantId: SAMPLE_TENANT, contract })),
    calls: lines.calls,
    items: lines.items,
  });
}

function pdfText(pdf: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** The text's lines with runs of spaces as one, so columns compare as words. */
const squeezed = (text: string) => text.split('\n').map((line) => line.trim().replace(/\s+/g, ' '));

describe('the report as PDF', () => {
  it('states letterhead, firm, period, totals with VAT and every call in German formats', async () => {
    const pdf = await reportPdf(sampleReport(), { letterhead, frozenOn: '2026-12-01' });
    const lines = squeezed(pdfText(pdf, 'sample.pdf'));
    expect(lines[0]).toBe('Büroservice Sonnenschein Leistungsnachweis');
    expect(lines).toContain('Hauptstraße 1 Malerbetrieb Schmidt');
    expect(lines).toContain('Zeitraum: 01.11.2026 – 30.11.2026');
    expect(lines).toContain('Festgeschrieben am 01.12.2026');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Angenommene Anrufe 5 12:40 4,40 €',
        'Anrufe im Auftrag (ausgehend) 1 1:10 1,40 €',
        'Grundgebühr Zeitkontingent 1 49,50 €',
        'Mehrminuten über dem Kontingent 1 4:00 6,00 €',
        'Vereinbarte Termine 1 5,00 €',
        'Summe netto 13:50 66,30 €',
        'Umsatzsteuer 19 % 12,60 €',
        'Summe brutto 78,90 €',
        '01.11.2026 – 15.11.2026 (15/30 Tage) 5:00 9:00 180 % 4:00 49,50 € 6,00 €',
        // date, time, caller, answered by, talk, hold, after-call work, after the Takt, amount, subject
        '03.11.2026 09:15 Frau Müller, +4930111 Anna Berger 4:00 0:00 0:00 4:00 Angebot Fassade',
        '10.11.2026 14:02 +4930123456 Anna Berger 2:30 0:30 0:00 3:00 Rückruf erbeten',
        '12.11.2026 10:00 +4930123456 Anna Berger 10:00 0:00 0:00 –',
        'nicht berechnen: Spam (bestätigt)',
        '15.11.2026 23:59 +4930123456 Anna Berger 1:01 0:00 0:00 2:00',
        '17.11.2026 08:00 +4930123456 Anna Berger 1:30 0:40 1:40 1:20 1,60 €',
        'App weicht +5 s ab',
        '18.11.2026 09:30 +4930123456 Anna Berger 0:04 0:00 0:00 –',
        'frei (kurz)',
        '20.11.2026 11:11 +4930123456 Ben Kurz 2:05 0:00 0:10 2:20 2,80 €',
        '24.11.2026 16:45 +4930222 Anna Berger 1:01 0:00 0:00 1:10 1,40 € Rückruf Termin',
        'ausgehend',
        '25.11.2026 12:00 +4930123456 0:00 0:00 0:00 –',
        'nicht angenommen',
        '26.11.2026 Termin Termin Weber: Angebot Bad 1 5,00 € 5,00 €',
        'Leistungsnachweis Malerbetrieb Schmidt · November 2026 · Seite 1 von 1',
      ]),
    );
  });

  /** Per Takt, as the PDF must print it: time after the Takt, net, VAT, gross, and the 61 s call's line. */
  const SHOWN: Record<string, [string, string, string, string, string]> = {
    '60/60': ['10:00', '12,00 €', '2,28 €', '14,28 €', '2:00 2,40 €'],
    '30/30': ['8:00', '9,60 €', '1,82 €', '11,42 €', '1:30 1,80 €'],
    '60/10': ['7:40', '9,20 €', '1,75 €', '10,95 €', '1:10 1,40 €'],
    '1/1': ['6:56', '8,32 €', '1,58 €', '9,90 €', '1:01 1,22 €'],
    '6/6': ['7:06', '8,52 €', '1,62 €', '10,14 €', '1:06 1,32 €'],
  };
  for (const c of TAKT_CASES) {
    it(`states the Takt ${c.takt.firstSeconds}/${c.takt.nextSeconds} month's units and amounts`, async () => {
      const lines = taktLines(c.takt);
      const report = computeMonth({
        tenantId: SAMPLE_TENANT,
        tenantName: SAMPLE_TENANT_NAME,
        month: SAMPLE_MONTH,
        contracts: lines.contracts[SAMPLE_TENANT]!.map((contract) => ({ tenantId: SAMPLE_TENANT, contract })),
        calls: lines.calls,
        items: [],
      });
      const text = squeezed(
        pdfText(await reportPdf(report, { letterhead, frozenOn: null }), `takt-${c.takt.firstSeconds}-${c.takt.nextSeconds}.pdf`),
      );
      const [time, net, vat, gross, first] = SHOWN[`${c.takt.firstSeconds}/${c.takt.nextSeconds}`]!;
      expect(text).toEqual(
        expect.arrayContaining([
          `Angenommene Anrufe 4 ${time} ${net}`,
          `Summe netto ${time} ${net}`,
          `Umsatzsteuer 19 % ${vat}`,
          `Summe brutto ${gross}`,
          `02.11.2026 10:00 +4930123456 Anna Berger 1:01 0:00 0:00 ${first}`,
        ]),
      );
    });
  }

  it('numbers every page of a long month and repeats the table header', async () => {
    const pdf = await reportPdf(sampleReport(150), { letterhead, frozenOn: null });
    const text = pdfText(pdf, 'long.pdf');
    const pages = text.split('\f').filter((page) => page.trim() !== '');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, index) => expect(page).toContain(`Seite ${index + 1} von ${pages.length}`));
    expect(pages[1]).toMatch(/Datum\s+Zeit\s+Anrufer\s+Angenommen von/);
    expect(text).toContain('Vorläufig: der Monat ist noch nicht abgeschlossen');
  });

  it('prints "?" for a character the PDF standard fonts cannot show, and keeps the rest of the cell', async () => {
    const report = sampleReport();
    report.calls[0]!.remoteName = 'Łukasz Wąs 😀 Weiß';
    const lines = squeezed(pdfText(await reportPdf(report, { letterhead, frozenOn: null }), 'charset.pdf'));
    expect(lines).toContain('03.11.2026 09:15 ?ukasz W?s ?? Weiß, +4930…');
  });

  it('gives the same bytes for the same report (fixed creation date)', async () => {
    const report = sampleReport();
    const first = await reportPdf(report, { letterhead, frozenOn: '2026-12-01' });
    const second = await reportPdf(structuredClone(report), { letterhead, frozenOn: '2026-12-01' });
    expect(first.equals(second)).toBe(true);
    const file = join(dir, 'same.pdf');
    writeFileSync(file, first);
    expect(execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8' })).toMatch(/CreationDate:\s+2026-11-30T23:00:00Z/);
  });

  it('renders page 1 for the README', async () => {
    const pdf = await reportPdf(sampleReport(30), { letterhead, frozenOn: '2026-12-01' });
    const file = join(dir, 'screenshot.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page1')]);
    const artifacts = join(REPO_ROOT, 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(join(dir, 'page1.png'), join(artifacts, 'report-page1.png'));
    copyFileSync(join(dir, 'page1.png'), join(REPO_ROOT, 'docs', 'screenshots', 'report-page1.png'));
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
  });
});
