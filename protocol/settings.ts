import { z } from 'zod';

export const Language = z.enum(['de', 'en']);
export type Language = z.infer<typeof Language>;

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** User preferences kept per profile. Every field has a default so an old file still loads. */
export const Settings = z.object({
  language: Language.default('de'),
  theme: Theme.default('system'),
});
export type Settings = z.infer<typeof Settings>;

/** A partial update; unknown keys are refused so a typo never silently does nothing. */
export const SettingsPatch = z.strictObject({
  language: Language.optional(),
  theme: Theme.optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;
