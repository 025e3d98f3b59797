import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../../helpers/chromium.js';
import { startDeskRig, type DeskRig } from '../../helpers/desk-rig.js';
import { seriousAxeViolations } from '../../helpers/ui.js';

const rendererBuilt = existsSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer', 'index.html'));

// Settings → "Bei „Nicht stören“" on a real desk against the real Kamailio, which has no trunk here:
// the app asks the PBX about each saved forward target and says what it answered, so nobody believes
// calls reach a mobile while callers hear busy.
describe('Settings: the PBX says whether it follows the DND forward', () => {
  let rig: DeskRig;

  beforeAll(async () => {
    if (!rendererBuilt) throw new Error('dist/renderer is missing: run `npm run build` first');
    rig = await startDeskRig();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('says a colleague is not signed in (without calling him invalid), warns about a number without a trunk and a premium-rate number, and confirms the colleague once he is', async () => {
    const anna = await rig.desk('anna', 'settings', { bypassCSP: true });
    const { page } = anna;
    await page.getByText('Telefon: erreichbar').waitFor({ timeout: 15_000 });
    const section = page.getByTestId('settings-dnd');
    await section.getByRole('radio', { name: 'Anrufe weiterleiten an …' }).check();
    const target = section.getByRole('textbox');
    const verdict = section.getByTestId('dnd-pbx-verdict');
    const save = async (text: string) => {
      await target.fill(text);
      await target.blur();
    };

    // max's app is not running: the PBX would let the caller hear busy until he signs in.
    await save('max');
    await expect
      .poll(() => verdict.textContent(), { timeout: 8000 })
      .toBe('max ist gerade nicht angemeldet – Anrufer hören „besetzt“, bis max sich anmeldet.');
    expect(await verdict.getAttribute('role')).toBe('status');
    expect(await target.getAttribute('aria-invalid')).toBe('false');

    await save('0170 1234567');
    await expect.poll(() => verdict.textContent(), { timeout: 8000 }).toContain('leitet nicht an +491701234567 weiter');
    expect(await verdict.getAttribute('role')).toBe('alert');
    expect(await verdict.textContent()).toContain('keinen Anschluss nach außen');
    await screenshot(page, 'settings-dnd-no-trunk');

    await save('0900 1234567');
    await expect.poll(() => verdict.textContent(), { timeout: 8000 }).toContain('Sonder- und Mehrwertnummern');
    expect(await seriousAxeViolations(page, '[data-testid="settings-dnd"]')).toEqual([]);

    const max = await rig.desk('max', 'settings');
    await max.page.getByText('Telefon: erreichbar').waitFor({ timeout: 15_000 });
    await save('max');
    await expect
      .poll(() => verdict.textContent(), { timeout: 8000 })
      .toBe('Die Telefonanlage bestätigt: Sie leitet Anrufe an max weiter.');
    expect(anna.errors).toEqual([]);
    expect(max.errors).toEqual([]);
  }, 60_000);
});
