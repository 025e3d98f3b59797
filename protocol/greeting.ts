/**
 * A firm's greeting as a template: the words a teleworker or craftsman says when answering in the
 * firm's name. The template is the synced `greeting` field; every desk renders it for the person at
 * that desk, so after a transfer the craftsman reads his own name, not the teleworker's. The admin
 * CLI validates with the same rules the renderer applies, so a template that passed `tenant add/set`
 * renders without leftovers.
 *
 * Placeholders: `{firma}` the firm's name, `{name}` the person answering, `{gruss}` "Guten Morgen"
 * (before 11:00), "Guten Tag", "Guten Abend" (from 18:00), Europe/Berlin wall clock.
 */

export const GREETING_PLACEHOLDERS = ['firma', 'name', 'gruss'] as const;
export type GreetingPlaceholder = (typeof GREETING_PLACEHOLDERS)[number];

/** What a firm without its own greeting shows: every desk has words to start with. */
export const DEFAULT_GREETING_TEMPLATE = '{gruss}, {firma}, Sie sprechen mit {name}. Was kann ich für Sie tun?';

/** Long enough for any spoken greeting, short enough to read at a glance on the call card. */
export const MAX_GREETING_LENGTH = 500;

export type GreetingProblem =
  | { kind: 'unknown_placeholder'; placeholder: string }
  | { kind: 'unclosed_brace'; at: number }
  | { kind: 'stray_brace'; at: number }
  | { kind: 'too_long'; max: number }
  | { kind: 'empty' };

export interface GreetingValues {
  firma: string;
  /** The person answering at this desk; without one the sentence still reads (see render). */
  name: string | undefined;
  /** The instant the call is answered (epoch ms or Date). */
  at: number | Date;
}

type Part = { text: string } | { placeholder: string; at: number };

const BERLIN_HOUR = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' });

/** "Guten Morgen" before 11:00, "Guten Abend" from 18:00, "Guten Tag" in between — German time. */
export function timeOfDayGreeting(at: number | Date): string {
  const hour = Number(BERLIN_HOUR.formatToParts(at).find((part) => part.type === 'hour')?.value ?? '12');
  if (hour < 11) return 'Guten Morgen';
  if (hour >= 18) return 'Guten Abend';
  return 'Guten Tag';
}

function parse(template: string): { parts: Part[]; problems: GreetingProblem[] } {
  const parts: Part[] = [];
  const problems: GreetingProblem[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char === '}') {
      problems.push({ kind: 'stray_brace', at: i });
      text += char;
      continue;
    }
    if (char !== '{') {
      text += char;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    const nextOpen = template.indexOf('{', i + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      problems.push({ kind: 'unclosed_brace', at: i });
      text += char;
      continue;
    }
    if (text) parts.push({ text });
    text = '';
    const placeholder = template.slice(i + 1, close).trim();
    parts.push({ placeholder, at: i });
    if (!(GREETING_PLACEHOLDERS as readonly string[]).includes(placeholder.toLowerCase())) {
      problems.push({ kind: 'unknown_placeholder', placeholder });
    }
    i = close;
  }
  if (text) parts.push({ text });
  return { parts, problems };
}

/** Everything wrong with a template, in order; empty when it is fine. */
export function greetingProblems(template: string): GreetingProblem[] {
  if (template.trim() === '') return [{ kind: 'empty' }];
  const { problems } = parse(template);
  return template.length > MAX_GREETING_LENGTH ? [{ kind: 'too_long', max: MAX_GREETING_LENGTH }, ...problems] : problems;
}

/** One English sentence per problem, for the admin CLI and the server's log. */
export function describeGreetingProblem(problem: GreetingProblem): string {
  switch (problem.kind) {
    case 'unknown_placeholder':
      return `unknown placeholder {${problem.placeholder}} (allowed: ${GREETING_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`;
    case 'unclosed_brace':
      return `"{" at position ${problem.at + 1} is not closed by "}"`;
    case 'stray_brace':
      return `"}" at position ${problem.at + 1} closes nothing`;
    case 'too_long':
      return `longer than ${problem.max} characters`;
    case 'empty':
      return 'empty (leave the greeting out to use the default)';
  }
}

/**
 * The greeting as the person at this desk says it. A firm without a template gets the default; an
 * unknown placeholder (a template written before validation existed) stays as written rather than
 * vanishing, so the reader sees what to say instead of a gap. Without a name, "{name}" falls back
 * to a neutral phrase so the sentence still reads.
 */
export function renderGreeting(template: string | null | undefined, values: GreetingValues): string {
  const source = template && template.trim() !== '' ? template : DEFAULT_GREETING_TEMPLATE;
  const filled: Record<GreetingPlaceholder, string> = {
    firma: values.firma,
    name: values.name?.trim() || 'dem Büroservice',
    gruss: timeOfDayGreeting(values.at),
  };
  return parse(source)
    .parts.map((part) => {
      if ('text' in part) return part.text;
      const key = part.placeholder.toLowerCase() as GreetingPlaceholder;
      return key in filled ? filled[key] : `{${part.placeholder}}`;
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
