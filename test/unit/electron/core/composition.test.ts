import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../../electron/core/composition.js';

function profile(): string {
  return mkdtempSync(join(tmpdir(), 'vermittlung-core-'));
}
const ctx = { origin: 'test' };

describe('core host API', () => {
  it('round-trips settings into the profile directory and across a restart', async () => {
    const dir = profile();
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    expect(await core.dispatch('settings.get', undefined, ctx)).toMatchObject({
      ok: true,
      value: { language: 'de', theme: 'system' },
    });
    expect(await core.dispatch('settings.set', { language: 'en' }, ctx)).toMatchObject({ ok: true, value: { language: 'en' } });
    await core.close();
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ language: 'en' });
    const again = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    expect(await again.dispatch('settings.get', null, ctx)).toMatchObject({
      ok: true,
      value: { language: 'en', theme: 'system' },
    });
  });

  it('refuses a wrong shape with an error naming the field, logs it, and changes nothing', async () => {
    const dir = profile();
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    await core.dispatch('settings.set', { theme: 'dark' }, ctx);
    const before = readFileSync(join(dir, 'settings.json'), 'utf8');

    for (const [input, field] of [
      [{ language: 'fr' }, 'input.language'],
      [{ theme: 42 }, 'input.theme'],
      [{ colour: 'red' }, 'input'],
      ['de', 'input'],
    ] as const) {
      const result = await core.dispatch('settings.set', input, ctx);
      expect(result).toMatchObject({ ok: false, error: { code: 'validation', field } });
    }
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
    const log = readFileSync(join(dir, 'logs', 'vermittlung.log'), 'utf8');
    expect(log).toContain('host API call refused');
    expect(log).toContain('input.language');
  });

  it('refuses unknown methods and prototype keys as data, never by throwing', async () => {
    const core = createCore({ profileDir: profile(), appVersion: '1.0.0', shell: 'browser' });
    for (const method of ['nope', 'constructor', '__proto__', 'toString', 42, null]) {
      expect(await core.dispatch(method, undefined, ctx)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('bounds renderer log lines and writes them in English JSON lines', async () => {
    const dir = profile();
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    expect(await core.dispatch('log.write', { level: 'warn', message: 'x'.repeat(4001) }, ctx)).toMatchObject({
      ok: false,
      error: { field: 'input.message' },
    });
    expect(await core.dispatch('log.write', { level: 'info', message: 'renderer says hi' }, ctx)).toEqual({
      ok: true,
      value: undefined,
    });
    const lines = readFileSync(join(dir, 'logs', 'vermittlung.log'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((line) => JSON.parse(line) as { message: string }).some((l) => l.message === 'renderer says hi')).toBe(true);
  });

  it("never lets a renderer's log context pass for another source, level or message", async () => {
    const dir = profile();
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    const context = { source: 'identity', level: 'error', message: 'certificate revoked', t: '2000-01-01', call: 'c1' };
    await core.dispatch('log.write', { level: 'info', message: 'renderer line', context }, ctx);
    await core.close();
    const line = readFileSync(join(dir, 'logs', 'vermittlung.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.ctx_message === 'certificate revoked');
    expect(line).toMatchObject({
      level: 'info',
      source: 'renderer',
      message: 'renderer line',
      ctx_source: 'identity',
      ctx_level: 'error',
      ctx_t: '2000-01-01',
      call: 'c1',
    });
    expect(line!.t).not.toBe('2000-01-01');
  });

  it('moves an unreadable settings file aside instead of losing it, and starts with defaults', async () => {
    const dir = profile();
    writeFileSync(join(dir, 'settings.json'), '{"language": "de", broken');
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    expect(await core.dispatch('settings.get', undefined, ctx)).toMatchObject({ ok: true, value: { language: 'de' } });
    const aside = readdirSync(dir).filter((name) => name.startsWith('settings.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"language": "de", broken');
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
  });

  it('emits settings.changed to subscribers', async () => {
    const core = createCore({ profileDir: profile(), appVersion: '1.0.0', shell: 'browser' });
    const seen: unknown[] = [];
    core.events.subscribe((event) => seen.push(event));
    await core.dispatch('settings.set', { theme: 'light' }, ctx);
    expect(seen).toMatchObject([{ event: 'settings.changed', payload: { language: 'de', theme: 'light' } }]);
  });

  it('logs the refused rows of an import in English, while the report carries their reasons for the UI', async () => {
    const dir = profile();
    const core = createCore({ profileDir: dir, appVersion: '1.0.0', shell: 'browser' });
    const text = 'name,company\nGut,A\n,\nZu,viele,Spalten\n';
    const result = await core.dispatch('store.import', { tenant: 't1', format: 'csv', csvProfile: 'generic', text }, ctx);
    expect(result).toMatchObject({
      ok: true,
      value: {
        imported: 1,
        failed: 2,
        errors: [
          { line: 3, reason: 'no_name' },
          { line: 4, reason: 'columns' },
        ],
      },
    });
    await core.close();
    const lines = readFileSync(join(dir, 'logs', 'vermittlung.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => l.message === 'import row refused')).toMatchObject([
      { level: 'warn', source: 'store', line: 3, reason: 'no_name', error: 'row has no name, company or e-mail' },
      { level: 'warn', source: 'store', line: 4, reason: 'columns', error: 'row has 3 fields, the header has 2' },
    ]);
    expect(lines.find((l) => l.message === 'contacts imported')).toMatchObject({ imported: 1, failed: 2 });
  });
});
