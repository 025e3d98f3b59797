import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../electron/core/composition.js';

describe("a firm's schedule through the host API", () => {
  it('lists the synced schedules and lets no profile without a craftsman or lead identity write one', async () => {
    const core = createCore({
      profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-firm-')),
      appVersion: '1.0.0',
      shell: 'browser',
    });
    const ctx = { origin: 'test' };
    try {
      expect(await core.dispatch('firmSchedule.list', undefined, ctx)).toEqual({ ok: true, value: [] });
      expect(await core.dispatch('firmSchedule.set', { tenant: 'tischlerei', part: 'override', value: null }, ctx)).toMatchObject(
        {
          ok: false,
          error: { code: 'forbidden' },
        },
      );
      expect(await core.dispatch('firmSchedule.set', { tenant: 'tischlerei', part: 'hours', value: null }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'validation', field: 'input.part' },
      });
      expect(
        await core.dispatch('firmSchedule.set', { tenant: 'Tischlerei!', part: 'override', value: null }, ctx),
      ).toMatchObject({
        ok: false,
        error: { code: 'validation', field: 'input.tenant' },
      });
    } finally {
      await core.close();
    }
  });
});
