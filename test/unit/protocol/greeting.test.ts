import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GREETING_TEMPLATE,
  MAX_GREETING_LENGTH,
  describeGreetingProblem,
  greetingProblems,
  renderGreeting,
  timeOfDayGreeting,
} from '../../../protocol/greeting.js';

// Winter (CET, UTC+1) and summer (CEST, UTC+2) instants, so the Berlin wall clock, not UTC, decides.
const winter = (berlinHour: number, minute = 0) => Date.UTC(2026, 0, 15, berlinHour - 1, minute);
const summer = (berlinHour: number, minute = 0) => Date.UTC(2026, 6, 15, berlinHour - 2, minute);

describe('timeOfDayGreeting', () => {
  it('says Guten Morgen before 11:00, Guten Tag until 18:00 and Guten Abend from 18:00, Berlin time', () => {
    expect(timeOfDayGreeting(winter(7))).toBe('Guten Morgen');
    expect(timeOfDayGreeting(winter(10, 59))).toBe('Guten Morgen');
    expect(timeOfDayGreeting(winter(11))).toBe('Guten Tag');
    expect(timeOfDayGreeting(winter(17, 59))).toBe('Guten Tag');
    expect(timeOfDayGreeting(winter(18))).toBe('Guten Abend');
    expect(timeOfDayGreeting(winter(0, 30))).toBe('Guten Morgen');
    expect(timeOfDayGreeting(summer(10, 30))).toBe('Guten Morgen');
    // 09:30 UTC is 11:30 in Berlin in summer: already "Guten Tag" although UTC says morning.
    expect(timeOfDayGreeting(Date.UTC(2026, 6, 15, 9, 30))).toBe('Guten Tag');
    expect(timeOfDayGreeting(summer(18, 5))).toBe('Guten Abend');
    expect(timeOfDayGreeting(new Date(summer(12)))).toBe('Guten Tag');
  });
});

describe('renderGreeting', () => {
  it('gives every firm the default when it has no greeting of its own', () => {
    const values = { firma: 'Tischlerei Holzwurm', name: 'Anna Schmidt', at: winter(9) };
    const expected = 'Guten Morgen, Tischlerei Holzwurm, Sie sprechen mit Anna Schmidt. Was kann ich für Sie tun?';
    expect(renderGreeting(null, values)).toBe(expected);
    expect(renderGreeting(undefined, values)).toBe(expected);
    expect(renderGreeting('   ', values)).toBe(expected);
    expect(renderGreeting(DEFAULT_GREETING_TEMPLATE, values)).toBe(expected);
  });

  it('fills the firm, the person answering at this desk and the time of day', () => {
    const template = '{gruss}! {firma}, am Apparat ist {name}.';
    expect(renderGreeting(template, { firma: 'Sanitär Rohrfrei', name: 'Max Müller', at: winter(19) })).toBe(
      'Guten Abend! Sanitär Rohrfrei, am Apparat ist Max Müller.',
    );
    expect(renderGreeting(template, { firma: 'Sanitär Rohrfrei', name: 'Anna Schmidt', at: winter(14) })).toBe(
      'Guten Tag! Sanitär Rohrfrei, am Apparat ist Anna Schmidt.',
    );
    expect(renderGreeting('{Firma} – { name }', { firma: 'A & B', name: 'C', at: 0 })).toBe('A & B – C');
  });

  it('keeps a plain greeting as written and an unknown placeholder visible instead of dropping it', () => {
    expect(renderGreeting('Tischlerei Holzwurm, guten Tag', { firma: 'x', name: 'y', at: 0 })).toBe(
      'Tischlerei Holzwurm, guten Tag',
    );
    expect(renderGreeting('{gruss}, {firmenname}', { firma: 'x', name: 'y', at: winter(12) })).toBe('Guten Tag, {firmenname}');
  });

  it('still reads when no name is known', () => {
    expect(renderGreeting('Sie sprechen mit {name}.', { firma: 'x', name: undefined, at: 0 })).toBe(
      'Sie sprechen mit dem Büroservice.',
    );
    expect(renderGreeting('Sie sprechen mit {name}.', { firma: 'x', name: '  ', at: 0 })).toBe(
      'Sie sprechen mit dem Büroservice.',
    );
  });
});

describe('greetingProblems', () => {
  it('accepts the default, plain text and every placeholder', () => {
    expect(greetingProblems(DEFAULT_GREETING_TEMPLATE)).toEqual([]);
    expect(greetingProblems('Tischlerei Holzwurm, guten Tag')).toEqual([]);
    expect(greetingProblems('{gruss} {firma} {name} {FIRMA}')).toEqual([]);
  });

  it('names unknown placeholders and unbalanced braces', () => {
    expect(greetingProblems('{gruss}, {firmenname}, {nam}')).toEqual([
      { kind: 'unknown_placeholder', placeholder: 'firmenname' },
      { kind: 'unknown_placeholder', placeholder: 'nam' },
    ]);
    expect(greetingProblems('Guten Tag, {firma')).toEqual([{ kind: 'unclosed_brace', at: 11 }]);
    expect(greetingProblems('{gruss {firma}')).toEqual([{ kind: 'unclosed_brace', at: 0 }]);
    expect(greetingProblems('Guten Tag} {firma}')).toEqual([{ kind: 'stray_brace', at: 9 }]);
    expect(greetingProblems('{}')).toEqual([{ kind: 'unknown_placeholder', placeholder: '' }]);
    expect(greetingProblems('')).toEqual([{ kind: 'empty' }]);
    expect(greetingProblems('x'.repeat(MAX_GREETING_LENGTH + 1))).toEqual([{ kind: 'too_long', max: MAX_GREETING_LENGTH }]);
  });

  it('describes each problem in a sentence that names the allowed placeholders', () => {
    const [unknown] = greetingProblems('{firmenname}');
    expect(describeGreetingProblem(unknown!)).toBe('unknown placeholder {firmenname} (allowed: {firma}, {name}, {gruss})');
    expect(describeGreetingProblem({ kind: 'unclosed_brace', at: 11 })).toBe('"{" at position 12 is not closed by "}"');
    expect(describeGreetingProblem({ kind: 'stray_brace', at: 0 })).toContain('closes nothing');
  });
});
