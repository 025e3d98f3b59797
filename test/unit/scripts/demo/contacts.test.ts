import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { demoContacts, unknownNumber } from '../../../../scripts/demo/contacts.js';
import { FIRMS } from '../../../../scripts/demo/office.js';

describe('the demo firms’ contacts', () => {
  const contacts = demoContacts(FIRMS);

  it('are about 1,000 German contacts as an Outlook CSV, the same on every run', () => {
    let total = 0;
    for (const firm of FIRMS) {
      const { csv, count, regulars } = contacts.get(firm.id)!;
      const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
      expect(rows).toHaveLength(count);
      expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['Vorname', 'Nachname', 'Mobiltelefon']));
      expect(rows.every((r) => /^\+49\d{10}$/.test(r.Mobiltelefon!))).toBe(true);
      expect(regulars).toHaveLength(4);
      expect(regulars[0]!.name).toBe(`${rows[0]!.Vorname} ${rows[0]!.Nachname}`);
      total += count;
    }
    expect(total).toBe(1000);
    expect(demoContacts(FIRMS).get('tischlerei')!.csv).toBe(contacts.get('tischlerei')!.csv);
  });

  it('never contain an unknown caller’s number', () => {
    const all = [...contacts.values()].map((c) => c.csv).join('\n');
    for (let n = 1; n <= 200; n++) {
      const number = unknownNumber(n);
      expect(number).toMatch(/^\+49159\d{7}$/);
      expect(all).not.toContain(number.slice(3));
    }
    expect(new Set(Array.from({ length: 50 }, (_, i) => unknownNumber(i + 1))).size).toBe(50);
  });
});
