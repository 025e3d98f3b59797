/**
 * A contract in one German line per version, for the admin CLI and the lead's contract form: every
 * term a firm is billed by, in the words of its invoice.
 */
import type { BillingContract } from './billing-contract.js';

/** 9900 → "99,00 €". */
export function euroDe(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${euros},${String(abs % 100).padStart(2, '0')} €`;
}

/** 1900 → "19 %", 750 → "7,5 %". */
export function percentDe(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const rest = basisPoints % 100;
  return `${whole}${rest === 0 ? '' : `,${String(rest).padStart(2, '0').replace(/0$/, '')}`} %`;
}

/** "2026-11-01" → "01.11.2026". */
export function dateDe(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

export function describeContractDe(c: BillingContract): string {
  const price =
    c.model === 'budget'
      ? `Budget ${c.includedMinutes} Minuten je ${c.period === 'week' ? 'Woche' : 'Monat'} für ${euroDe(c.feeCents)}, jede weitere Minute ${euroDe(c.extraMinuteCents)}`
      : c.model === 'per_call'
        ? `${euroDe(c.perCallCents)} je Anruf`
        : `${euroDe(c.perMinuteCents)} je Minute`;
  const parts = [
    `ab ${dateDe(c.validFrom)}: ${price}`,
    `Takt ${c.takt.firstSeconds}/${c.takt.nextSeconds}`,
    c.countHold ? 'Haltezeit zählt' : 'Haltezeit zählt nicht',
    c.countAfterCallWork
      ? `Nacharbeit zählt${c.afterCallWorkCapSeconds === undefined ? '' : ` (höchstens ${c.afterCallWorkCapSeconds} s je Anruf)`}`
      : 'Nacharbeit zählt nicht',
    c.freeBelowSeconds > 0 ? `frei unter ${c.freeBelowSeconds} s` : 'keine Freiminuten',
    `MwSt. ${percentDe(c.vatBasisPoints)}`,
    c.outgoingCalls ? 'Rückrufe im Auftrag der Firma werden berechnet' : 'Rückrufe im Auftrag der Firma frei',
  ];
  if (c.appointmentCents !== undefined) parts.push(`Termin ${euroDe(c.appointmentCents)}`);
  for (const item of c.itemPrices ?? []) parts.push(`${item.name} ${euroDe(item.unitCents)}`);
  if (c.alertCraftsman) parts.push('Budgetwarnung auch an den Handwerker');
  return parts.join('; ');
}
