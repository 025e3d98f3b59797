/**
 * German figures for the report, written out by hand rather than through Intl so the PDF and the CSV
 * read the same on every Node build: 1.234,56 €, 06.12.2026, 2:05 min, 19 %.
 */
import type { BillingContract } from '../../protocol/billing-contract.js';
import { GERMAN_MONTHS } from '../../protocol/german.js';
import type { LineStatus, ReportCallLine, TotalKind } from './report-model.js';

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** 123456 → "1.234,56" (no currency sign); negative with a leading minus. */
export function decimalCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${groupThousands(String(Math.floor(abs / 100)))},${String(abs % 100).padStart(2, '0')}`;
}

/** 123456 → "1.234,56 €". */
export function euro(cents: number): string {
  return `${decimalCents(cents)} €`;
}

/** "2026-12-06" → "06.12.2026". */
export function dateDe(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

/** "2026-11" → "November 2026". */
export function monthDe(month: string): string {
  const [y, m] = month.split('-');
  return `${GERMAN_MONTHS[Number(m) - 1]} ${y}`;
}

/** Seconds as minutes and seconds: 125 → "2:05". */
export function minSec(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const abs = Math.abs(seconds);
  return `${sign}${groupThousands(String(Math.floor(abs / 60)))}:${String(abs % 60).padStart(2, '0')}`;
}

/** Seconds as decimal minutes with two places: 90 → "1,50". */
export function decimalMinutes(seconds: number): string {
  return decimalCents(Math.round((seconds * 100) / 60));
}

/** Basis points as a German percentage: 1900 → "19 %", 1950 → "19,5 %". */
export function percentDe(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const rest = basisPoints % 100;
  return rest === 0 ? `${whole} %` : `${whole},${String(rest).padStart(2, '0').replace(/0$/, '')} %`;
}

export const KIND_LABEL_DE: Record<TotalKind, string> = {
  calls_in: 'Angenommene Anrufe',
  calls_out: 'Anrufe im Auftrag (ausgehend)',
  budget_fee: 'Grundgebühr Zeitkontingent',
  budget_extra: 'Mehrminuten über dem Kontingent',
  appointment: 'Vereinbarte Termine',
  item: 'Sonstige Leistungen',
  correction: 'Korrekturen früherer Monate',
};

export const STATUS_LABEL_DE: Record<LineStatus | 'absent', string> = {
  billed: 'berechnet',
  free: 'frei (kurz)',
  no_bill: 'nicht berechnet',
  unanswered: 'nicht angenommen',
  no_contract: 'kein Vertrag',
  absent: 'entfällt',
};

/** The line's remark: why it is not billed, and any disagreement of app and PBX. */
export function lineRemark(line: ReportCallLine): string {
  const parts: string[] = [];
  if (line.status === 'no_bill' && line.noBill) {
    parts.push(`nicht berechnen: ${line.noBill.reason}${line.noBill.confirmedBy ? ' (bestätigt)' : ' (unbestätigt)'}`);
  } else if (line.status !== 'billed') parts.push(STATUS_LABEL_DE[line.status]);
  if (line.direction === 'out') parts.push('ausgehend');
  if (line.deviationSeconds !== null) {
    parts.push(`App weicht ${line.deviationSeconds > 0 ? '+' : ''}${line.deviationSeconds} s ab`);
  }
  return parts.join('; ');
}

export function modelDe(contract: BillingContract): string {
  const takt = `Takt ${contract.takt.firstSeconds}/${contract.takt.nextSeconds}`;
  const terms = [
    takt,
    contract.countHold ? 'Haltezeit zählt' : 'Haltezeit zählt nicht',
    contract.countAfterCallWork
      ? `Nacharbeit zählt${contract.afterCallWorkCapSeconds !== undefined ? ` (höchstens ${contract.afterCallWorkCapSeconds} s je Anruf)` : ''}`
      : 'Nacharbeit zählt nicht',
    contract.freeBelowSeconds > 0 ? `frei unter ${contract.freeBelowSeconds} s` : null,
    `USt ${percentDe(contract.vatBasisPoints)}`,
  ].filter((t): t is string => t !== null);
  const price =
    contract.model === 'budget'
      ? `Zeitkontingent ${contract.includedMinutes} min je ${contract.period === 'week' ? 'Woche' : 'Monat'} für ${euro(contract.feeCents)}, jede weitere Minute ${euro(contract.extraMinuteCents)}`
      : contract.model === 'per_call'
        ? `je Anruf ${euro(contract.perCallCents)}`
        : `je Minute ${euro(contract.perMinuteCents)}`;
  return `${price}; ${terms.join(', ')}`;
}
