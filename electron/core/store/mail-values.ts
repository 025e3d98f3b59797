/** Days and logs of the mail register as the store keeps them (text columns, JSON text). */

const BERLIN_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (YYYY-MM-DD) in Germany at `ms`: the date of receipt is the office's day, not UTC's. */
export function berlinDay(ms: number): string {
  return BERLIN_DAY.format(new Date(ms));
}

/** `day` plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y + years, m - 1, d));
  if (date.getUTCDate() !== d) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}

/** The entries of a JSON log that match their schema; anything unreadable is left out, never thrown. */
export function parseLog<T>(
  text: string | null,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry) => {
    const result = schema.safeParse(entry);
    return result.success ? [result.data] : [];
  });
}
