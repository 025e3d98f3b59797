/**
 * The report as CSV the way German spreadsheets open it without an import dialog: UTF-8 with a BOM,
 * semicolons, decimal commas, CRLF. One table: every call, item, budget period and correction as a
 * row with its kind in the first column, the totals at the end.
 */
import { berlinFields } from './calendar.js';
import {
  KIND_LABEL_DE,
  STATUS_LABEL_DE,
  dateDe,
  decimalCents,
  decimalMinutes,
  lineRemark,
  monthDe,
  percentDe,
} from './format-de.js';
import type { MonthReport } from './report-model.js';

export const CSV_HEADER = [
  'Art',
  'Datum',
  'Uhrzeit',
  'Anrufer / Beschreibung',
  'Name',
  'Angenommen von',
  'Gespräch (s)',
  'Halten (s)',
  'Nacharbeit (s)',
  'Gezählt (s)',
  'Abgerechnet (s)',
  'Abgerechnet (min)',
  'Menge',
  'Betrag netto (€)',
  'Status',
  'Hinweis',
  'Betreff',
] as const;

type Row = (string | number)[];

function cell(value: string | number): string {
  const text = String(value);
  // A cell a spreadsheet would read as a formula is quoted and prefixed, so a caller's name cannot run one.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d[\d ,.]*$/.test(text) ? `'${text}` : text;
  return /[";\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(values: Row): string {
  return values.map(cell).join(';');
}

export function reportCsvRows(report: MonthReport): Row[] {
  const rows: Row[] = [];
  for (const call of report.calls) {
    const { date, time } = berlinFields(call.startedAt);
    rows.push([
      call.direction === 'in' ? 'Anruf' : 'Anruf ausgehend',
      dateDe(date),
      time,
      call.remoteNumber,
      call.remoteName ?? '',
      call.answeredByName ?? '',
      call.talkSeconds,
      call.holdSeconds,
      call.afterCallWorkSeconds,
      call.countedSeconds,
      call.billedSeconds,
      decimalMinutes(call.billedSeconds),
      1,
      decimalCents(call.amountCents),
      STATUS_LABEL_DE[call.status],
      lineRemark(call),
      call.noteSubject ?? '',
    ]);
  }
  for (const item of report.items) {
    rows.push([
      item.kind === 'appointment' ? 'Termin' : 'Posten',
      dateDe(item.date),
      '',
      item.description,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      item.quantity,
      decimalCents(item.amountCents),
      item.section < 0 ? STATUS_LABEL_DE.no_contract : STATUS_LABEL_DE.billed,
      `je ${decimalCents(item.unitCents)} €`,
      '',
    ]);
  }
  for (const section of report.sections) {
    for (const period of section.periods) {
      const span = `${dateDe(period.from)} bis ${dateDe(period.to)} (exklusiv)`;
      const share = period.days === period.fullDays ? '' : `anteilig ${period.days}/${period.fullDays} Tage; `;
      rows.push([
        'Grundgebühr',
        dateDe(period.from),
        '',
        span,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        1,
        decimalCents(period.feeCents),
        '',
        `${share}${period.percent} % genutzt`,
        '',
      ]);
      rows.push([
        'Mehrminuten',
        dateDe(period.from),
        '',
        `${decimalMinutes(period.usedSeconds)} von ${decimalMinutes(period.includedSeconds)} min genutzt`,
        '',
        '',
        '',
        '',
        '',
        '',
        period.extraSeconds,
        decimalMinutes(period.extraSeconds),
        '',
        decimalCents(period.extraCents),
        '',
        '',
        '',
      ]);
    }
  }
  for (const correction of report.corrections) {
    for (const line of correction.lines) {
      rows.push([
        `Korrektur ${monthDe(correction.month)}`,
        dateDe(line.date),
        line.time ?? '',
        line.label,
        '',
        '',
        '',
        '',
        '',
        '',
        line.after.billedSeconds - line.before.billedSeconds,
        decimalMinutes(line.after.billedSeconds - line.before.billedSeconds),
        '',
        decimalCents(line.after.amountCents - line.before.amountCents),
        `${STATUS_LABEL_DE[line.before.status]} → ${STATUS_LABEL_DE[line.after.status]}`,
        '',
        '',
      ]);
    }
    rows.push([
      `Korrektur ${monthDe(correction.month)} gesamt`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      decimalCents(correction.deltaNetCents),
      '',
      `USt ${decimalCents(correction.deltaVatCents)} €`,
      '',
    ]);
  }
  for (const kind of report.byKind) {
    rows.push([
      `Summe ${KIND_LABEL_DE[kind.kind]}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      kind.billedSeconds,
      decimalMinutes(kind.billedSeconds),
      kind.quantity,
      decimalCents(kind.netCents),
      '',
      '',
      '',
    ]);
  }
  const vatRates = [...new Set(report.sections.map((s) => s.contract.vatBasisPoints))].map(percentDe).join(', ');
  rows.push([
    'Summe netto',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    report.totals.billedSeconds,
    decimalMinutes(report.totals.billedSeconds),
    '',
    decimalCents(report.totals.netCents),
    '',
    '',
    '',
  ]);
  rows.push([
    `Umsatzsteuer ${vatRates}`.trim(),
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    decimalCents(report.totals.vatCents),
    '',
    '',
    '',
  ]);
  rows.push(['Summe brutto', '', '', '', '', '', '', '', '', '', '', '', '', decimalCents(report.totals.grossCents), '', '', '']);
  return rows;
}

export function reportCsv(report: MonthReport): Buffer {
  const lines = [row([...CSV_HEADER]), ...reportCsvRows(report).map(row)];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
