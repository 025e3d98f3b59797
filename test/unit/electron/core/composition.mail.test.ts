import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../electron/core/composition.js';

describe('the mail register through the host API', () => {
  it('serves every mail method, validates input, and acts only for a profile with an identity', async () => {
    const core = createCore({
      profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-mail-')),
      appVersion: '1.0.0',
      shell: 'browser',
    });
    const ctx = { origin: 'test' };
    try {
      expect(await core.dispatch('mail.list', {}, ctx)).toEqual({ ok: true, value: [] });
      expect(
        await core.dispatch('mail.register', { tenant: 'tischlerei', sender: 'Finanzamt', kind: 'behoerde' }, ctx),
      ).toMatchObject({
        ok: false,
        error: { code: 'not_configured' },
      });
      expect(
        await core.dispatch('mail.register', { tenant: 'tischlerei', sender: 'Finanzamt', kind: 'steuer' }, ctx),
      ).toMatchObject({
        ok: false,
        error: { code: 'validation', field: 'input.kind' },
      });
      expect(await core.dispatch('mail.retentionDue', undefined, ctx)).toMatchObject({
        ok: false,
        error: { code: 'not_configured' },
      });
      expect(
        await core.dispatch('mail.advance', { id: '0b7c2f9e-1d2a-4c3b-9e8f-7a6b5c4d3e2f', status: 'erledigt' }, ctx),
      ).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await core.dispatch('settings.set', { mailRetentionYears: { rechnung: 10 } }, ctx)).toMatchObject({
        ok: true,
        value: { mailRetentionYears: { rechnung: 10 } },
      });
      expect(await core.dispatch('settings.set', { mailRetentionYears: { rechnung: 0 } }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
    } finally {
      await core.close();
    }
  });
});
