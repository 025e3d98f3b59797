/**
 * The report as a PDF (pdfkit, A4, the PDF standard fonts): the service's letterhead, the firm, the
 * period, the contract terms, totals by kind with VAT, budget periods, corrections of delivered
 * months, then every call and item, with "Seite X von Y" on each page. Its only inputs are the
 * report, the letterhead and the date it states, and the creation date in its metadata is fixed to
 * the end of the month, so the same report gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { berlinFields, berlinMidnightUtc, monthRange } from './calendar.js';
import { KIND_LABEL_DE, STATUS_LABEL_DE, dateDe, euro, lineRemark, minSec, modelDe, monthDe, percentDe } from './format-de.js';
import type { Letterhead } from './letterhead.js';
import type { MonthReport } from './report-model.js';
import { PdfTable, type Column } from './pdf-table.js';

export interface PdfOptions {
  letterhead: Letterhead;
  /** Frozen: the day it was frozen; null for an open month's provisional report. */
  frozenOn: string | null;
}

const MARGIN = 40;

const CALL_COLUMNS: Column[] = [
  { title: 'Datum', width: 44 },
  { title: 'Zeit', width: 26 },
  { title: 'Anrufer', width: 86 },
  { title: 'Angenommen von', width: 62 },
  { title: 'Gespräch', width: 36, align: 'right' },
  { title: 'Halten', width: 30, align: 'right' },
  { title: 'Nacharb.', width: 36, align: 'right' },
  { title: 'nach Takt', width: 38, align: 'right' },
  { title: 'Betrag', width: 42, align: 'right' },
  { title: 'Betreff / Hinweis', width: 115 },
];

export async function reportPdf(report: MonthReport, options: PdfOptions): Promise<Buffer> {
  const range = monthRange(report.month);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `Leistungsnachweis ${report.tenantName} ${monthDe(report.month)}`,
      Author: options.letterhead.name,
      Subject: 'Leistungsnachweis',
      Creator: 'Vermittlung',
      Producer: 'Vermittlung',
      CreationDate: new Date(range.toIso),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  header(doc, report, options, range);
  summary(doc, report);
  const table = new PdfTable(doc, MARGIN);
  if (report.sections.some((s) => s.periods.length > 0)) budgets(doc, table, report);
  if (report.corrections.length > 0) corrections(doc, table, report);
  calls(doc, table, report);
  if (report.items.length > 0) items(doc, table, report);
  footers(doc, report);
  doc.end();
  return done;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  if (doc.y > doc.page.height - MARGIN - 60) doc.addPage();
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).fillColor('#000').text(text, MARGIN, doc.y);
  doc.moveDown(0.3);
}

function header(doc: PDFKit.PDFDocument, report: MonthReport, options: PdfOptions, range: { from: string; to: string }): void {
  const right = 330;
  doc.font('Helvetica-Bold').fontSize(13).text(options.letterhead.name, MARGIN, MARGIN, { width: 270 });
  doc.font('Helvetica').fontSize(9);
  for (const line of options.letterhead.lines) doc.text(line, { width: 270 });
  const leftBottom = doc.y;
  doc.font('Helvetica-Bold').fontSize(16).text('Leistungsnachweis', right, MARGIN, { width: 225 });
  doc.font('Helvetica').fontSize(10);
  doc.text(report.tenantName, { width: 225 });
  doc.text(`Zeitraum: ${dateDe(range.from)} – ${dateDe(lastDay(range.to))}`, { width: 225 });
  doc.text(
    options.frozenOn
      ? `Festgeschrieben am ${dateDe(options.frozenOn)}`
      : report.sections.length === 0
        ? 'Vorläufig: kein Vertrag hinterlegt'
        : 'Vorläufig: der Monat ist noch nicht abgeschlossen',
    { width: 225 },
  );
  doc.y = Math.max(doc.y, leftBottom) + 14;
  doc.x = MARGIN;
  doc.font('Helvetica').fontSize(8.5).fillColor('#000');
  for (const section of report.sections) {
    doc.text(
      `Vertrag ${dateDe(section.from)} – ${dateDe(lastDay(section.to))} (gültig ab ${dateDe(section.contract.validFrom)}): ${modelDe(section.contract)}`,
      MARGIN,
      doc.y,
      { width: doc.page.width - 2 * MARGIN },
    );
  }
  if (report.sections.length === 0)
    doc.text('Für diesen Monat ist kein Vertrag hinterlegt; nichts wird berechnet.', MARGIN, doc.y);
}

/** The day before an exclusive end date. */
function lastDay(exclusiveEnd: string): string {
  return berlinFields(Date.parse(berlinMidnightUtc(exclusiveEnd)) - 3600_000).date;
}

function summary(doc: PDFKit.PDFDocument, report: MonthReport): void {
  const t = report.totals;
  heading(doc, 'Übersicht');
  const table = new PdfTable(doc, MARGIN);
  const columns: Column[] = [
    { title: 'Leistung', width: 235 },
    { title: 'Anzahl', width: 60, align: 'right' },
    { title: 'Zeit nach Takt (min)', width: 110, align: 'right' },
    { title: 'Betrag netto', width: 110, align: 'right' },
  ];
  table.header(columns, 9);
  for (const kind of report.byKind) {
    table.row(
      columns,
      [
        KIND_LABEL_DE[kind.kind],
        String(kind.quantity),
        kind.billedSeconds ? minSec(kind.billedSeconds) : '',
        euro(kind.netCents),
      ],
      9,
    );
  }
  table.rule();
  const rates = [...new Set(report.sections.map((s) => s.contract.vatBasisPoints))].map(percentDe).join(', ');
  table.row(columns, ['Summe netto', '', minSec(t.billedSeconds), euro(t.netCents)], 9, 'Helvetica-Bold');
  table.row(columns, [`Umsatzsteuer ${rates}`, '', '', euro(t.vatCents)], 9);
  table.row(columns, ['Summe brutto', '', '', euro(t.grossCents)], 10, 'Helvetica-Bold');
  doc.moveDown(0.5).font('Helvetica').fontSize(8.5).fillColor('#000');
  doc.text(
    `${t.calls} Anrufe, davon ${t.answered} angenommen, ${t.billedCalls} berechnet, ${t.freeCalls} frei (kürzer als die Freigrenze), ` +
      `${t.noBillCalls} „nicht berechnen“. ${t.flaggedCalls} Anrufe, bei denen App und Telefonanlage um mehr als 2 s abweichen (im Einzelnachweis vermerkt). ` +
      'Zeiten in Minuten:Sekunden; die Gesprächszeit misst die Telefonanlage.',
    MARGIN,
    doc.y,
    { width: doc.page.width - 2 * MARGIN },
  );
}

function budgets(doc: PDFKit.PDFDocument, table: PdfTable, report: MonthReport): void {
  heading(doc, 'Zeitkontingent');
  const columns: Column[] = [
    { title: 'Zeitraum', width: 150 },
    { title: 'Kontingent (min)', width: 75, align: 'right' },
    { title: 'Genutzt (min)', width: 70, align: 'right' },
    { title: 'Anteil', width: 45, align: 'right' },
    { title: 'Mehr (min)', width: 55, align: 'right' },
    { title: 'Grundgebühr', width: 60, align: 'right' },
    { title: 'Mehrminuten', width: 60, align: 'right' },
  ];
  table.header(columns, 8);
  for (const period of report.sections.flatMap((s) => s.periods)) {
    const share = period.days === period.fullDays ? '' : ` (${period.days}/${period.fullDays} Tage)`;
    table.row(
      columns,
      [
        `${dateDe(period.from)} – ${dateDe(lastDay(period.to))}${share}`,
        minSec(period.includedSeconds),
        minSec(period.usedSeconds),
        `${period.percent} %`,
        minSec(period.extraSeconds),
        euro(period.feeCents),
        euro(period.extraCents),
      ],
      8,
    );
  }
}

function corrections(doc: PDFKit.PDFDocument, table: PdfTable, report: MonthReport): void {
  heading(doc, 'Korrekturen bereits abgerechneter Monate');
  const columns: Column[] = [
    { title: 'Monat', width: 70 },
    { title: 'Datum', width: 48 },
    { title: 'Zeit', width: 30 },
    { title: 'Anrufer / Leistung', width: 120 },
    { title: 'Vorher', width: 85 },
    { title: 'Jetzt', width: 85 },
    { title: 'Betrag', width: 77, align: 'right' },
  ];
  table.header(columns, 8);
  for (const correction of report.corrections) {
    for (const line of correction.lines) {
      const state = (s: typeof line.before) =>
        `${STATUS_LABEL_DE[s.status]}${s.billedSeconds ? `, ${minSec(s.billedSeconds)}` : ''}`;
      table.row(
        columns,
        [
          monthDe(correction.month),
          dateDe(line.date),
          line.time ?? '',
          line.label,
          state(line.before),
          state(line.after),
          euro(line.after.amountCents - line.before.amountCents),
        ],
        8,
      );
    }
    table.row(
      columns,
      [
        monthDe(correction.month),
        '',
        '',
        `netto ${euro(correction.before.netCents)} → ${euro(correction.after.netCents)}`,
        '',
        'Differenz netto',
        euro(correction.deltaNetCents),
      ],
      8,
      'Helvetica-Bold',
    );
  }
}

function calls(doc: PDFKit.PDFDocument, table: PdfTable, report: MonthReport): void {
  heading(doc, 'Einzelnachweis der Anrufe');
  table.header(CALL_COLUMNS, 6.5);
  for (const call of report.calls) {
    const { date, time } = berlinFields(call.startedAt);
    const caller = call.remoteName ? `${call.remoteName}, ${call.remoteNumber}` : call.remoteNumber;
    const remark = lineRemark(call);
    const cells = [
      dateDe(date),
      time,
      caller,
      call.answeredByName ?? '',
      minSec(call.talkSeconds),
      minSec(call.holdSeconds),
      minSec(call.afterCallWorkSeconds),
      call.status === 'billed' ? minSec(call.billedSeconds) : '–',
      call.amountCents ? euro(call.amountCents) : '',
      call.noteSubject ?? '',
    ];
    table.row(CALL_COLUMNS, cells, 7, 'Helvetica', remark, () => table.header(CALL_COLUMNS, 6.5));
  }
  if (report.calls.length === 0) doc.font('Helvetica').fontSize(8.5).text('Keine Anrufe in diesem Monat.', MARGIN, doc.y);
}

function items(doc: PDFKit.PDFDocument, table: PdfTable, report: MonthReport): void {
  heading(doc, 'Termine und sonstige Leistungen');
  const columns: Column[] = [
    { title: 'Datum', width: 55 },
    { title: 'Art', width: 60 },
    { title: 'Beschreibung', width: 230 },
    { title: 'Menge', width: 40, align: 'right' },
    { title: 'Einzelpreis', width: 65, align: 'right' },
    { title: 'Betrag', width: 65, align: 'right' },
  ];
  table.header(columns, 8);
  for (const item of report.items) {
    table.row(
      columns,
      [
        dateDe(item.date),
        item.kind === 'appointment' ? 'Termin' : 'Posten',
        item.description,
        String(item.quantity),
        euro(item.unitCents),
        euro(item.amountCents),
      ],
      8,
      'Helvetica',
      item.section < 0 ? STATUS_LABEL_DE.no_contract : '',
      () => table.header(columns, 8),
    );
  }
}

function footers(doc: PDFKit.PDFDocument, report: MonthReport): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit open a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7.5)
      .fillColor('#555')
      .text(
        `Leistungsnachweis ${report.tenantName} · ${monthDe(report.month)} · Seite ${i + 1} von ${count}`,
        MARGIN,
        doc.page.height - 28,
        {
          width: doc.page.width - 2 * MARGIN,
          align: 'center',
          lineBreak: false,
        },
      );
    doc.page.margins.bottom = bottom;
  }
}
