import { z } from 'zod';
import { DEFAULT_BLOB_CACHE_BYTES } from './blobs.js';
import { Accelerator, UpdateChannel } from './desktop.js';
import { DEFAULT_RETENTION_YEARS, MAIL_KINDS, MailKind } from './mail.js';

export const Language = z.enum(['de', 'en']);
export type Language = z.infer<typeof Language>;

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** A MediaDeviceInfo.deviceId; empty means the system default device. */
export const AudioDeviceId = z.string().max(512);
/** `quiet` rings at a lower volume; `silent` only shows the call (and the notification). */
export const Ringtone = z.enum(['standard', 'quiet', 'silent']);
export type Ringtone = z.infer<typeof Ringtone>;

/** What "Nicht stören" does with an incoming call: refuse it (486) or forward it (302, docs/calls.md). */
export const DndAction = z.enum(['reject', 'forward']);
export type DndAction = z.infer<typeof DndAction>;

/** Years a scan is kept after its item is erledigt, per kind; a kind left out keeps DEFAULT_RETENTION_YEARS. */
export const MailRetentionYears = z.partialRecord(MailKind, z.number().int().min(1).max(30));
export type MailRetentionYears = z.infer<typeof MailRetentionYears>;

/**
 * The retention form's fields (years as typed, '' = the default) as the setting: only what differs
 * from DEFAULT_RETENTION_YEARS is kept, so a later change of a default reaches offices that never
 * chose otherwise. `invalid` names the kinds whose value is not a whole number of 1 to 30 years.
 */
export function retentionYearsFromForm(
  fields: Partial<Record<MailKind, string>>,
): { ok: true; value: MailRetentionYears } | { ok: false; invalid: MailKind[] } {
  const value: MailRetentionYears = {};
  const invalid: MailKind[] = [];
  for (const kind of MAIL_KINDS) {
    const typed = (fields[kind] ?? '').trim();
    if (typed === '') continue;
    const years = /^\d{1,2}$/.test(typed) ? Number(typed) : Number.NaN;
    const parsed = MailRetentionYears.safeParse({ [kind]: years });
    if (!parsed.success) invalid.push(kind);
    else if (years !== DEFAULT_RETENTION_YEARS[kind]) value[kind] = years;
  }
  return invalid.length > 0 ? { ok: false, invalid } : { ok: true, value };
}
/**
 * The DND forward target: '' (none), a colleague's SIP user name or a phone number as typed. The
 * renderer normalises it (lib/phone/dnd.ts); here only its shape, so a hostile value never reaches SIP.
 */
export const DndForwardTarget = z
  .string()
  .trim()
  .max(64)
  .regex(/^$|^[A-Za-z0-9][A-Za-z0-9._-]*$|^\+?[0-9][0-9 ()/.-]*$/, 'not a user name or phone number');

/** An absolute folder path of the host (POSIX or Windows), or '' for none. */
export const IntakeFolder = z
  .string()
  .max(1024)
  .regex(/^$|^\/|^[A-Za-z]:[\\/]|^\\\\/, 'must be an absolute folder path');
/** At least 64 MB, so that a single large scan always fits; at most 1 TB. */
export const DocumentCacheBytes = z
  .number()
  .int()
  .min(64 * 1024 * 1024)
  .max(1024 ** 4);

/** User preferences kept per profile. Every field has a default so an old file still loads. */
export const Settings = z.object({
  language: Language.default('de'),
  theme: Theme.default('system'),
  /** Provisioning may set it too; beta gets releases before stable does. */
  updateChannel: UpdateChannel.default('stable'),
  startAtLogin: z.boolean().default(false),
  /** Off by default: a global shortcut takes its keys away from every other application. */
  globalShortcutEnabled: z.boolean().default(false),
  globalShortcut: Accelerator.default('CommandOrControl+Shift+Space'),
  notifications: z.boolean().default(true),
  /** Audio devices per profile (a headset for calls, a loudspeaker for the ringer); '' = system default. */
  audioMicrophone: AudioDeviceId.default(''),
  audioSpeaker: AudioDeviceId.default(''),
  audioRinger: AudioDeviceId.default(''),
  ringtone: Ringtone.default('standard'),
  /** Own presence turns "Abwesend" after this many idle minutes; 0 = never. */
  presenceIdleMinutes: z.number().int().min(0).max(240).default(10),
  dndAction: DndAction.default('reject'),
  dndForwardTarget: DndForwardTarget.default(''),
  mailRetentionYears: MailRetentionYears.default({}),
  /** The folder the office's scanner writes into ('' = none): its PDFs and images are the intake list. */
  intakeFolder: IntakeFolder.default(''),
  /** The local copies of documents are kept within this many bytes (least recently used go first). */
  documentCacheBytes: DocumentCacheBytes.default(DEFAULT_BLOB_CACHE_BYTES),
});
export type Settings = z.infer<typeof Settings>;

/** A partial update; unknown keys are refused so a typo never silently does nothing. */
export const SettingsPatch = z.strictObject({
  language: Language.optional(),
  theme: Theme.optional(),
  updateChannel: UpdateChannel.optional(),
  startAtLogin: z.boolean().optional(),
  globalShortcutEnabled: z.boolean().optional(),
  globalShortcut: Accelerator.optional(),
  notifications: z.boolean().optional(),
  audioMicrophone: AudioDeviceId.optional(),
  audioSpeaker: AudioDeviceId.optional(),
  audioRinger: AudioDeviceId.optional(),
  ringtone: Ringtone.optional(),
  presenceIdleMinutes: z.number().int().min(0).max(240).optional(),
  dndAction: DndAction.optional(),
  dndForwardTarget: DndForwardTarget.optional(),
  mailRetentionYears: MailRetentionYears.optional(),
  intakeFolder: IntakeFolder.optional(),
  documentCacheBytes: DocumentCacheBytes.optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;
