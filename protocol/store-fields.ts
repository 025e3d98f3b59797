/**
 * What every record schema of the local store's host API shares: the documented text limits and the
 * seam's own caps on text, timestamps and pages (docs/store.md).
 */
import { z } from 'zod';
import { MAX_VALUE_BYTES } from './sync.js';
import { normalizeLineBreaks } from './text-values.js';

/** Documented maximum lengths in characters (`MAX_VALUE_BYTES` for long text is in UTF-8 bytes). */
export const STORE_LIMITS = {
  name: 500,
  company: 500,
  email: 320,
  street: 500,
  postal_code: 20,
  city: 200,
  number: 64,
  subject: 500,
  place: 500,
  taken_by: 200,
  assignee: 200,
  author: 200,
  transferred_to: 200,
  longTextBytes: MAX_VALUE_BYTES,
} as const;
/** Largest import passed as text (the browser shell has no file dialog); paths have no limit. */
export const MAX_IMPORT_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * Seam cap: well above the documented limits so the store, not the schema, explains an overlong
 * value. Line breaks arrive as LF (`normalizeLineBreaks`); other characters the store cannot keep
 * faithfully are refused by the store with `invalid_characters`, naming the field.
 */
export const Text = z
  .string()
  .max(MAX_VALUE_BYTES * 4)
  .transform(normalizeLineBreaks);
export const OptText = Text.nullable().optional();
export const Timestamp = z.iso.datetime({ offset: true });
export const Page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) };
