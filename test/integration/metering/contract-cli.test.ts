import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run admin -- tenant contract`: a firm's contract versions stored as synced records in the
// server's database (PGlite here) and printed back in German, each version with its own terms.
const root = join(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
function admin(...args: string[]) {
  const run = spawnSync(tsx, [join(root, 'server/admin/cli.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const work = mkdtempSync(join(tmpdir(), 'vermittlung-contract-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run admin -- tenant contract', () => {
  const home = join(work, 'home');

  it('stores versions by valid-from day and prints them all back', () => {
    expect(admin('ca', 'init', '--home', home, '--host', '127.0.0.1').code).toBe(0);
    expect(
      admin('tenant', 'add', 'mueller', '--name', 'Schreinerei Müller', '--number', '+49301234567', '--home', home).code,
    ).toBe(0);
    const budget = admin(
      'tenant',
      'contract',
      'mueller',
      '--home',
      home,
      '--model',
      'budget',
      '--from',
      '2026-11-01',
      '--included-minutes',
      '600',
      '--fee',
      '99',
      '--extra-minute',
      '1,50',
      '--takt',
      '60/60',
      '--acw-cap',
      '30',
      '--free-below',
      '5',
      '--appointment',
      '2,50',
      '--item',
      'Briefversand=0,95',
      '--alert-craftsman',
    );
    expect(budget.code, budget.err).toBe(0);
    expect(budget.out).toBe(
      'mueller: Vertrag gespeichert\n' +
        'ab 01.11.2026: Budget 600 Minuten je Monat für 99,00 €, jede weitere Minute 1,50 €; Takt 60/60; Haltezeit zählt; ' +
        'Nacharbeit zählt (höchstens 30 s je Anruf); frei unter 5 s; MwSt. 19 %; Rückrufe im Auftrag der Firma frei; ' +
        'Termin 2,50 €; Briefversand 0,95 €; Budgetwarnung auch an den Handwerker\n',
    );
    const change = admin(
      'tenant',
      'contract',
      'mueller',
      '--home',
      home,
      '--model',
      'per_minute',
      '--from',
      '2026-11-16',
      '--per-minute',
      '1,20',
      '--takt',
      '60/10',
      '--no-hold',
      '--no-acw',
      '--vat',
      '7',
      '--outgoing',
    );
    expect(change.code, change.err).toBe(0);
    const shown = admin('tenant', 'contract', 'mueller', '--home', home);
    expect(shown.out.split('\n')).toEqual([
      expect.stringMatching(/^mueller: ab 01\.11\.2026: Budget 600 Minuten/) as unknown,
      'ab 16.11.2026: 1,20 € je Minute; Takt 60/10; Haltezeit zählt nicht; Nacharbeit zählt nicht; keine Freiminuten; ' +
        'MwSt. 7 %; Rückrufe im Auftrag der Firma werden berechnet',
      '',
    ]);
  }, 240_000);

  it('refuses a contract the sync API would refuse, naming the option', () => {
    const bad = admin('tenant', 'contract', 'mueller', '--home', home, '--model', 'per_call', '--from', '2026-11-01');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--per-call');
    expect(
      admin('tenant', 'contract', 'mueller', '--home', home, '--model', 'per_call', '--from', '2026-11-01', '--per-call', 'x')
        .err,
    ).toContain('not an amount');
    expect(admin('tenant', 'contract', 'nobody', '--home', home).code).toBe(1);
  }, 120_000);
});
