import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../../../server/admin/commands.js';
import { OfficeCa } from '../../../../server/pki/office-ca.js';

describe('tenant add / tenant set with greeting templates', () => {
  const home = mkdtempSync(join(tmpdir(), 'vermittlung-tenant-cli-'));
  const firm = () => new OfficeCa(home).directory().tenants.find((t) => t.id === 'tischlerei');

  beforeAll(async () => {
    await runAdmin(['ca', 'init', '--home', home]);
  }, 60_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('refuses an unknown placeholder on add with a sentence naming it and the allowed ones, and stores nothing', async () => {
    await expect(
      runAdmin([
        'tenant',
        'add',
        'tischlerei',
        '--name',
        'Tischlerei Holzwurm',
        '--number',
        '0221 1234567',
        '--greeting',
        '{gruss}, {firmenname}',
        '--home',
        home,
      ]),
    ).rejects.toThrow('--greeting: unknown placeholder {firmenname} (allowed: {firma}, {name}, {gruss})');
    await expect(
      runAdmin([
        'tenant',
        'add',
        'tischlerei',
        '--name',
        'T',
        '--number',
        '0221 1234567',
        '--greeting',
        'Guten Tag, {firma',
        '--home',
        home,
      ]),
    ).rejects.toThrow('"{" at position 12 is not closed by "}"');
    expect(firm()).toBeUndefined();
  });

  it('adds a firm without a greeting (the default then applies) and sets and resets a template later', async () => {
    expect(
      await runAdmin([
        'tenant',
        'add',
        'tischlerei',
        '--name',
        'Tischlerei Holzwurm',
        '--number',
        '0221 1234567',
        '--home',
        home,
      ]),
    ).toBe('tenant tischlerei added (Tischlerei Holzwurm; +492211234567); greeting: the default');
    expect(firm()?.greeting).toBeUndefined();

    const template = '{gruss}, {firma}, am Apparat {name}.';
    expect(await runAdmin(['tenant', 'set', 'tischlerei', '--greeting', template, '--home', home])).toBe(
      'tenant tischlerei updated: greeting',
    );
    expect(firm()).toMatchObject({ name: 'Tischlerei Holzwurm', numbers: ['+492211234567'], greeting: template });

    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--greeting', '{Name} und {wer}', '--home', home])).rejects.toThrow(
      'unknown placeholder {wer}',
    );
    expect(firm()?.greeting).toBe(template);

    expect(await runAdmin(['tenant', 'set', 'tischlerei', '--no-greeting', '--mobile', '0170 1234567', '--home', home])).toBe(
      'tenant tischlerei updated: mobile, greeting (now the default)',
    );
    expect(firm()?.greeting).toBeUndefined();
    expect(firm()?.mobile).toBe('+491701234567');
  });

  it('refuses set for an unknown firm, with nothing to change, and a number another firm owns', async () => {
    await expect(runAdmin(['tenant', 'set', 'baeckerei', '--name', 'B', '--home', home])).rejects.toThrow(
      'unknown tenant "baeckerei"',
    );
    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--home', home])).rejects.toThrow('nothing to change');
    await runAdmin(['tenant', 'add', 'sanitaer', '--name', 'Sanitär Rohrfrei', '--number', '+49 30 1234567', '--home', home]);
    await expect(runAdmin(['tenant', 'set', 'sanitaer', '--number', '0221 1234567', '--home', home])).rejects.toThrow(
      'already belongs to tenant "tischlerei"',
    );
    await expect(runAdmin(['tenant', 'set', 'sanitaer', '--greeting', 'x', '--no-greeting', '--home', home])).rejects.toThrow(
      'exclude each other',
    );
  });

  it('sets the ring time and the craftsman fallback the PBX routes by, and refuses values it could not use', async () => {
    expect(
      await runAdmin(['tenant', 'set', 'tischlerei', '--ring-seconds', '12', '--craftsman-fallback', 'yes', '--home', home]),
    ).toBe('tenant tischlerei updated: ring time 12 s, craftsman fallback in service time on');
    expect(firm()).toMatchObject({ ringSeconds: 12, craftsmanFallback: true });
    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--ring-seconds', '0', '--home', home])).rejects.toThrow(
      '--ring-seconds: "0" is not a whole number of seconds from 1 to 300',
    );
    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--ring-seconds', '2.5', '--home', home])).rejects.toThrow(
      'is not a whole number',
    );
    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--craftsman-fallback', 'ja', '--home', home])).rejects.toThrow(
      '--craftsman-fallback: "ja" must be yes or no',
    );
    expect(firm()).toMatchObject({ ringSeconds: 12, craftsmanFallback: true });
    expect(await runAdmin(['tenant', 'set', 'tischlerei', '--craftsman-fallback', 'no', '--home', home])).toBe(
      'tenant tischlerei updated: craftsman fallback in service time off',
    );
    expect(firm()?.craftsmanFallback).toBe(false);
  });

  it('sets and clears the address forwarded scans are e-mailed to, and refuses what is not one', async () => {
    expect(await runAdmin(['tenant', 'set', 'tischlerei', '--mail-to', 'meister@holzwurm.example', '--home', home])).toBe(
      'tenant tischlerei updated: forwarded mail e-mailed to meister@holzwurm.example',
    );
    expect(firm()?.mailTo).toBe('meister@holzwurm.example');
    await expect(runAdmin(['tenant', 'set', 'tischlerei', '--mail-to', 'meister at holzwurm', '--home', home])).rejects.toThrow(
      '--mail-to: "meister at holzwurm" is not an e-mail address',
    );
    await expect(
      runAdmin(['tenant', 'set', 'tischlerei', '--mail-to', 'a@b.example', '--no-mail-to', '--home', home]),
    ).rejects.toThrow('--mail-to and --no-mail-to exclude each other');
    expect(firm()?.mailTo).toBe('meister@holzwurm.example');
    expect(await runAdmin(['tenant', 'set', 'tischlerei', '--no-mail-to', '--home', home])).toBe(
      'tenant tischlerei updated: no e-mail of forwarded mail',
    );
    expect(firm()?.mailTo).toBeUndefined();
  });
});
