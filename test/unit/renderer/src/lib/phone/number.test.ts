import { describe, expect, it } from 'vitest';
import { parseDialInput } from '../../../../../../renderer/src/lib/phone/number.js';

describe('German dial input', () => {
  it.each([
    ['030 123 45-67', '+49301234567'],
    ['0171/2345678', '+491712345678'],
    ['+49 (0)30 1234567', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['tel:+49-30-1234567', '+49301234567'],
    ['sip:bob@localhost', 'bob'],
    ['Bob', 'bob'],
    ['123', '123'],
    ['*21#', '*21#'],
  ])('%s dials %s', (input, user) => {
    expect(parseDialInput(input)).toMatchObject({ ok: true, user });
  });
  it.each(['', '   ', '030 12a', 'bob smith', '0', '+49 1'])('refuses %j', (input) => {
    expect(parseDialInput(input).ok).toBe(false);
  });
});
