import { describe, expect, it } from 'vitest';
import { computeMonth } from '../../../../server/billing/compute-month.js';
import { CSV_HEADER, reportCsv } from '../../../../server/billing/report-csv.js';
import { callLine } from '../../../helpers/billing-lines.js';
import { parseCsv } from '../../../helpers/semicolon-csv.js';
import {
  SAMPLE_MONTH,
  SAMPLE_TENANT,
  SAMPLE_TENANT_NAME,
  TAKT_CASES,
  sampleLines,
  taktLines,
} from '../../../helpers/billing-month.js';

function sampleCsv(mutate?: (lines: ReturnType<typeof sampleLines>) => void, lines = sampleLines()): Buffer {
  mutate?.(lines);
  return reportCsv(
    computeMonth({
      tenantId: SAMPLE_TENANT,
      tenantName: SAMPLE_TENANT_NAME,
      month: SAMPLE_MONTH,
      contracts: lines.contracts[SAMPLE_TENANT]!.map((contract) => ({ tenantId: SAMPLE_TENANT, contract })),
      calls: lines.calls,
      items: lines.items,
    }),
  );
}

describe('the report as CSV', () => {
  const bytes = sampleCsv();
  const rows = parseCsv(bytes.toString('utf8').slice(1));
  const byKind = (kind: string) => rows.filter((r) => r[0] === kind);

  it('is UTF-8 with a BOM, semicolons and CRLF', () => {
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('\r\n');
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows.every((r) => r.length === CSV_HEADER.length)).toBe(true);
  });

  it('has every call with PBX and app times, billed seconds and German decimals', () => {
    const calls = rows.filter((r) => r[0]!.startsWith('Anruf'));
    expect(calls.map((r) => [r[1], r[2], r[10], r[11], r[13], r[14]])).toEqual([
      ['03.11.2026', '09:15', '240', '4,00', '0,00', 'berechnet'],
      ['10.11.2026', '14:02', '180', '3,00', '0,00', 'berechnet'],
      ['12.11.2026', '10:00', '0', '0,00', '0,00', 'nicht berechnet'],
      ['15.11.2026', '23:59', '120', '2,00', '0,00', 'berechnet'],
      ['17.11.2026', '08:00', '80', '1,33', '1,60', 'berechnet'],
      ['18.11.2026', '09:30', '0', '0,00', '0,00', 'frei (kurz)'],
      ['20.11.2026', '11:11', '140', '2,33', '2,80', 'berechnet'],
      ['24.11.2026', '16:45', '70', '1,17', '1,40', 'berechnet'],
      ['25.11.2026', '12:00', '0', '0,00', '0,00', 'nicht angenommen'],
    ]);
    expect(calls[0]!.slice(3, 10)).toEqual(['+4930111', 'Frau Müller', 'Anna Berger', '240', '0', '0', '240']);
    expect(calls[2]![15]).toBe('nicht berechnen: Spam (bestätigt)');
    expect(calls[4]!.slice(6, 10)).toEqual(['90', '40', '100', '80']);
    expect(calls[4]![15]).toBe('App weicht +5 s ab');
    expect(calls[7]![0]).toBe('Anruf ausgehend');
    expect(calls[7]![16]).toBe('Rückruf Termin');
  });

  it('ends with the budget period, the totals by kind and the amounts with VAT', () => {
    expect(byKind('Grundgebühr')[0]![13]).toBe('49,50');
    expect(byKind('Mehrminuten')[0]!.slice(10, 14)).toEqual(['240', '4,00', '', '6,00']);
    expect(byKind('Termin')[0]!.slice(12, 14)).toEqual(['1', '5,00']);
    expect(byKind('Summe Angenommene Anrufe')[0]!.slice(10, 14)).toEqual(['760', '12,67', '5', '4,40']);
    expect(byKind('Summe netto')[0]![13]).toBe('66,30');
    expect(byKind('Umsatzsteuer 19 %')[0]![13]).toBe('12,60');
    expect(byKind('Summe brutto')[0]![13]).toBe('78,90');
  });

  for (const c of TAKT_CASES) {
    it(`has the Takt ${c.takt.firstSeconds}/${c.takt.nextSeconds} month's billed seconds and amounts`, () => {
      const taktRows = parseCsv(sampleCsv(undefined, taktLines(c.takt)).toString('utf8').slice(1));
      expect(taktRows.filter((r) => r[0] === 'Anruf').map((r) => Number(r[10]))).toEqual(c.billed);
      const cents = (text: string) => Number(text.replace(',', ''));
      expect(cents(taktRows.find((r) => r[0] === 'Summe netto')![13]!)).toBe(c.net);
      expect(cents(taktRows.find((r) => r[0] === 'Umsatzsteuer 19 %')![13]!)).toBe(c.vat);
      expect(cents(taktRows.find((r) => r[0] === 'Summe brutto')![13]!)).toBe(c.gross);
    });
  }

  it('quotes what a spreadsheet would read as a formula or a separator', () => {
    const csv = sampleCsv((lines) =>
      lines.calls.push(
        callLine(SAMPLE_TENANT, '2026-11-27', '10:00', 30, { remoteName: '=HYPERLINK("x";"y")', noteSubject: 'a;b' }),
      ),
    );
    const text = csv.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""x"";""y"")"`);
    expect(text).toContain('"a;b"');
    expect(parseCsv(text.slice(1)).find((r) => r[2] === '10:00' && r[1] === '27.11.2026')![4]).toBe(`'=HYPERLINK("x";"y")`);
  });
});
