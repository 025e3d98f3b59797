import { z } from 'zod';
import { Accelerator, UpdateChannel } from './desktop.js';

export const Language = z.enum(['de', 'en']);
export type Language = z.infer<typeof Language>;

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

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
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;
