import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../electron/core/composition.js';

describe('desktop host API in a host without desktop integration (browser shell)', () => {
  it('answers every desktop method without doing anything, and still validates input', async () => {
    const core = createCore({
      profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-inert-')),
      appVersion: '1.2.3',
      shell: 'browser',
    });
    const ctx = { origin: 'test' };
    expect(await core.dispatch('desktop.update.status', undefined, ctx)).toEqual({
      ok: true,
      value: { state: 'unsupported', channel: 'stable', currentVersion: '1.2.3' },
    });
    expect(await core.dispatch('desktop.update.check', null, ctx)).toMatchObject({ ok: true, value: { state: 'unsupported' } });
    expect(await core.dispatch('desktop.notify', { id: 'c1', kind: 'incoming', title: 'Anruf' }, ctx)).toEqual({
      ok: true,
      value: { shown: false },
    });
    expect(await core.dispatch('desktop.links.take', undefined, ctx)).toEqual({ ok: true, value: [] });
    expect(await core.dispatch('desktop.links.claim', undefined, ctx)).toEqual({ ok: true, value: { outcome: 'unsupported' } });
    // No powerMonitor in the browser shell: the renderer keeps its own idle detection.
    expect(await core.dispatch('desktop.idle.watch', { thresholdSeconds: 600 }, ctx)).toEqual({
      ok: true,
      value: { system: false },
    });
    expect(await core.dispatch('desktop.callState', { callActive: true }, ctx)).toEqual({ ok: true, value: undefined });
    expect(await core.dispatch('desktop.callState', { callActive: 'yes' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'input.callActive' },
    });
    expect(await core.dispatch('desktop.presence', { status: 'busy' }, ctx)).toMatchObject({
      ok: false,
      error: { field: 'input.status' },
    });
    expect(
      await core.dispatch('desktop.firmSwitch', { state: { consulting: true, status: 'Sprechstunde bis 12:00' } }, ctx),
    ).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await core.dispatch('desktop.firmSwitch', { state: { consulting: 'ja', status: '' } }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'input.state.consulting' },
    });
    await core.close();
  });

  it('keeps the new settings defaults safe: no shortcut, no autostart, stable channel, notifications on', async () => {
    const core = createCore({
      profileDir: mkdtempSync(join(tmpdir(), 'vermittlung-inert-')),
      appVersion: '1.2.3',
      shell: 'browser',
    });
    expect(await core.dispatch('settings.get', undefined, { origin: 'test' })).toMatchObject({
      ok: true,
      value: { updateChannel: 'stable', startAtLogin: false, globalShortcutEnabled: false, notifications: true },
    });
    expect(await core.dispatch('settings.set', { updateChannel: 'nightly' }, { origin: 'test' })).toMatchObject({
      ok: false,
      error: { field: 'input.updateChannel' },
    });
    await core.close();
  });
});
