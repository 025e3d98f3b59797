import { describe, expect, it } from 'vitest';
import { trayMenuModel, type TrayState } from '../../../../electron/main/tray-menu.js';

const base: TrayState = { presence: 'available', callActive: false, language: 'de' };

describe('the tray menu', () => {
  it('has no firm switch for a teleworker', () => {
    const ids = trayMenuModel({ ...base, firmSwitch: null }).map((item) => item.id);
    expect(ids.some((id) => id.startsWith('firm-'))).toBe(false);
  });

  it("offers the craftsman to begin his Sprechstunde, or to end it while it runs, and 'Heute nicht erreichbar'", () => {
    const off = trayMenuModel({ ...base, firmSwitch: { consulting: false, status: 'Servicezeit bis 18:00' } });
    expect(
      off.filter((item) => item.id.startsWith('firm-')).map((item) => [item.label, item.enabled ?? true, item.action]),
    ).toEqual([
      ['Servicezeit bis 18:00', false, undefined],
      ['Sprechstunde beginnen', true, { type: 'firm', action: 'start' }],
      ['Heute nicht erreichbar', true, { type: 'firm', action: 'closed-today' }],
    ]);
    const on = trayMenuModel({
      ...base,
      language: 'en',
      firmSwitch: { consulting: true, status: 'Consultation hours until 12:00' },
    });
    expect(on.find((item) => item.id === 'firm-end')).toMatchObject({
      label: 'End consultation hours',
      action: { type: 'firm', action: 'end' },
    });
    expect(on.some((item) => item.id === 'firm-start')).toBe(false);
  });
});
