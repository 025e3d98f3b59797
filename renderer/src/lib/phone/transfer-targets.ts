import { formatPhoneNumber } from './display.js';
import { parseDialInput } from './number.js';

/** Someone a call can be handed to: a colleague from the directory, or the firm's mobile. */
export interface TransferOption {
  kind: 'colleague' | 'mobile';
  /** What the engine dials: a colleague's user id, or the mobile's number (E.164). */
  value: string;
  /** A colleague's name; for the mobile, the firm's name. */
  label: string;
  /** The number as Germans write it (mobile), or the user id (colleague). */
  detail: string;
  /** A colleague's live presence (the busy lamp); the mobile has none. */
  state: string | undefined;
}

interface Person {
  id: string;
  name: string;
}

/** The picker's list: colleagues by name (the directory's order), then the firm's mobile. */
export function transferOptions(
  people: readonly Person[],
  presence: Readonly<Record<string, string>>,
  mobile: { number: string; firm: string } | undefined,
): TransferOption[] {
  const options: TransferOption[] = people.map((person) => ({
    kind: 'colleague',
    value: person.id,
    label: person.name,
    detail: person.id,
    state: presence[person.id] ?? 'unknown',
  }));
  if (mobile) {
    const parsed = parseDialInput(mobile.number);
    const value = parsed.ok ? parsed.user : mobile.number;
    options.push({ kind: 'mobile', value, label: mobile.firm, detail: formatPhoneNumber(value), state: undefined });
  }
  return options;
}

const digits = (text: string) => text.replace(/[^0-9]/g, '');

/** The number typed as the engine would dial it, digits only ("0170 123" → "49170123"), if it is one. */
function dialledDigits(query: string): string[] {
  const plain = digits(query);
  if (plain === '') return [];
  const parsed = parseDialInput(query);
  return parsed.ok && parsed.kind === 'number' ? [plain, digits(parsed.user)] : [plain];
}

/** The options the typed text matches: a name (any word's start), a user id, or part of a number. */
export function matchOptions(options: readonly TransferOption[], query: string): TransferOption[] {
  const text = query.trim().toLowerCase();
  if (text === '') return [...options];
  const numbers = /^[+0-9\s()/-]+$/.test(text) ? dialledDigits(text) : [];
  return options.filter((option) => {
    const name = option.label.toLowerCase();
    if (name.startsWith(text) || name.includes(` ${text}`) || option.value.toLowerCase().startsWith(text)) return true;
    if (option.kind !== 'mobile' || numbers.length === 0) return false;
    const own = digits(option.value);
    return numbers.some((typed) => own.includes(typed));
  });
}

/** A target for the engine, or why the typed text names nobody in particular. */
export type ResolvedTarget = { ok: true; value: string } | { ok: false; reason: 'none' | 'several' };

const NUMBER_LIKE = /^[+0-9\s()/*#-]+$/;

/**
 * What a transfer goes to when she typed rather than picked: the option the text names (its name or
 * id exactly, or the only match), a number as typed; a name that fits nobody or several is refused
 * here, with a reason the picker shows, instead of being dialled as a SIP user that does not exist.
 * Without a directory (not loaded yet) a typed user id is dialled as it is.
 */
export function resolveTarget(options: readonly TransferOption[], query: string): ResolvedTarget {
  const text = query.trim();
  const lower = text.toLowerCase();
  const exact = options.find((option) => option.label.toLowerCase() === lower || option.value.toLowerCase() === lower);
  if (exact) return { ok: true, value: exact.value };
  if (NUMBER_LIKE.test(text)) return { ok: true, value: text };
  const colleagues = matchOptions(options, text).filter((option) => option.kind === 'colleague');
  if (colleagues.length === 1) return { ok: true, value: colleagues[0]!.value };
  if (colleagues.length > 1) return { ok: false, reason: 'several' };
  if (!options.some((option) => option.kind === 'colleague')) return { ok: true, value: text };
  return { ok: false, reason: 'none' };
}
