import { describe, expect, it } from 'vitest';
import { matchOptions, resolveTarget, transferOptions } from '../../../../../../renderer/src/lib/phone/transfer-targets.js';

const people = [
  { id: 'max', name: 'Max Holzwurm' },
  { id: 'tina', name: 'Tina Berger' },
];
const options = transferOptions(people, { max: 'busy' }, { number: '0170 1234567', firm: 'Tischlerei Holzwurm' });
const values = (query: string) => matchOptions(options, query).map((option) => option.value);

describe('transfer targets', () => {
  it('lists colleagues with their live status, then the firm’s mobile as E.164', () => {
    expect(options).toEqual([
      { kind: 'colleague', value: 'max', label: 'Max Holzwurm', detail: 'max', state: 'busy' },
      { kind: 'colleague', value: 'tina', label: 'Tina Berger', detail: 'tina', state: 'unknown' },
      { kind: 'mobile', value: '+491701234567', label: 'Tischlerei Holzwurm', detail: '+49 170 1234567', state: undefined },
    ]);
  });

  it('matches the start of a name or of any word in it, a user id, and part of a number as typed', () => {
    expect(values('')).toEqual(['max', 'tina', '+491701234567']);
    expect(values('holz')).toEqual(['max', '+491701234567']);
    expect(values('Berg')).toEqual(['tina']);
    expect(values('ti')).toEqual(['tina', '+491701234567']);
    expect(values('0170 123')).toEqual(['+491701234567']);
    expect(values('+49170')).toEqual(['+491701234567']);
    expect(values('0171')).toEqual([]);
  });

  it('turns typed text into a target: a name or id it names, the only colleague it matches, or a number', () => {
    expect(resolveTarget(options, 'Max Holzwurm')).toEqual({ ok: true, value: 'max' });
    expect(resolveTarget(options, 'TINA')).toEqual({ ok: true, value: 'tina' });
    expect(resolveTarget(options, 'berger')).toEqual({ ok: true, value: 'tina' });
    // "holz" also matches the firm's mobile, but only one colleague.
    expect(resolveTarget(options, 'holz')).toEqual({ ok: true, value: 'max' });
    expect(resolveTarget(options, '030 1234567')).toEqual({ ok: true, value: '030 1234567' });
  });

  it('refuses a name that fits nobody or several colleagues, unless there is no directory yet', () => {
    expect(resolveTarget(options, 'Meier')).toEqual({ ok: false, reason: 'none' });
    const two = transferOptions([...people, { id: 'mia', name: 'Mia Holzwurm' }], {}, undefined);
    expect(resolveTarget(two, 'Holzwurm')).toEqual({ ok: false, reason: 'several' });
    expect(resolveTarget(transferOptions([], {}, undefined), 'carol')).toEqual({ ok: true, value: 'carol' });
  });
});
