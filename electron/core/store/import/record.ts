import type { ImportRowReason, PhoneKind } from '../../../../protocol/index.js';

/** One contact read from an import file, before validation. */
export interface ImportedContact {
  /** The line the record starts on (1-based), for error reports. */
  line: number;
  name: string;
  company: string | null;
  email: string | null;
  street: string | null;
  postal_code: string | null;
  city: string | null;
  notes: string | null;
  phones: { kind: PhoneKind; number: string }[];
}

/** A row that is not imported: `error` is the English text, the rest lets the UI say it in German. */
export interface ImportProblem {
  line: number;
  error: string;
  reason: ImportRowReason;
  field?: string;
  values?: Record<string, number>;
}

export type ImportItem = ImportedContact | ImportProblem;

export function isProblem(item: ImportItem): item is ImportProblem {
  return 'error' in item;
}

export function nonEmpty(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  return value.trim() === '' ? null : value;
}

export function phoneKind(types: readonly string[]): PhoneKind {
  const t = types.map((x) => x.toLowerCase());
  if (t.some((x) => x.includes('fax'))) return 'fax';
  if (t.some((x) => x === 'cell' || x.includes('mobil'))) return 'mobile';
  if (t.some((x) => x === 'work' || x.includes('business') || x.includes('geschäft'))) return 'work';
  if (t.some((x) => x === 'home' || x.includes('privat'))) return 'home';
  return 'other';
}
