import { describe, expect, it } from 'vitest';
import { dndDecision, forwardTarget } from '../../../../../../renderer/src/lib/phone/dnd.js';
import { Settings, SettingsPatch } from '../../../../../../protocol/settings.js';

const base = { dnd: true, action: 'forward' as const, target: 'bob', self: 'alice', domain: 'pbx.example' };

describe('DND decision', () => {
  it('rings when DND is off, whatever the forward setting', () => {
    expect(dndDecision({ ...base, dnd: false })).toEqual({ kind: 'ring' });
  });
  it('refuses (486) when DND is on and the setting is "abweisen"', () => {
    expect(dndDecision({ ...base, action: 'reject' })).toEqual({ kind: 'reject' });
  });
  it('forwards to a colleague by user name', () => {
    expect(dndDecision({ ...base, target: ' Bob ' })).toEqual({
      kind: 'forward',
      target: 'bob',
      colleague: true,
      uri: 'sip:bob@pbx.example',
    });
  });
  it('forwards to a number in E.164, the form the PBX routes', () => {
    expect(dndDecision({ ...base, target: '030 123 45-67', domain: 'pbx.example:5061' })).toEqual({
      kind: 'forward',
      target: '+49301234567',
      colleague: false,
      uri: 'sip:+49301234567@pbx.example:5061',
    });
  });
  it('an extension is a number, not a colleague: only a user name is asked about again at each call', () => {
    expect(dndDecision({ ...base, target: '123' })).toMatchObject({ kind: 'forward', target: '123', colleague: false });
  });
  it.each(['', '   ', 'bob smith', '*21#', 'alice', 'sip:Alice@pbx.example', 'x;y'])(
    'refuses instead of forwarding to %j (empty, invalid, a feature code or ourselves)',
    (target) => {
      expect(dndDecision({ ...base, target })).toEqual({ kind: 'reject' });
    },
  );
});

describe('forward target validation', () => {
  it.each([
    ['bob', 'bob'],
    ['0171/2345678', '+491712345678'],
    ['123', '123'],
  ])('%s is %s', (input, target) => expect(forwardTarget(input)).toBe(target));
  it.each(['', 'a b', '<sip:x@evil>', '#31#'])('%j is not a target', (input) => expect(forwardTarget(input)).toBeUndefined());
});

describe('DND settings schema', () => {
  it('defaults to refusing with no target, so an old settings file still loads', () => {
    expect(Settings.parse({})).toMatchObject({ dndAction: 'reject', dndForwardTarget: '' });
  });
  it('takes a user name or a number and refuses anything that could end up in a SIP header', () => {
    expect(SettingsPatch.parse({ dndAction: 'forward', dndForwardTarget: 'bob' })).toEqual({
      dndAction: 'forward',
      dndForwardTarget: 'bob',
    });
    expect(SettingsPatch.parse({ dndForwardTarget: '+49 30 1234567' }).dndForwardTarget).toBe('+49 30 1234567');
    for (const bad of ['bob>\r\nVia: x', '<sip:x@evil.example>', 'a'.repeat(65), 'bob smith'])
      expect(SettingsPatch.safeParse({ dndForwardTarget: bad }).success).toBe(false);
    expect(SettingsPatch.safeParse({ dndAction: 'voicemail' }).success).toBe(false);
  });
});
