import { Settings, type AppInfo, type LinkClaimOutcome, type SettingsPatch } from '../../../protocol/index.js';
import { call, on } from '../lib/host/client.js';
import { setLanguage } from '../lib/i18n/index.js';
import { reportError } from './errors.svelte.js';

export const settingsState = $state({
  loaded: false,
  saving: false,
  settings: Settings.parse({}),
  info: undefined as AppInfo | undefined,
});

function apply(settings: Settings): void {
  settingsState.settings = settings;
  setLanguage(settings.language);
  document.documentElement.dataset.theme = settings.theme;
}

export async function loadSettings(): Promise<void> {
  const [settings, info] = await Promise.all([call('settings.get'), call('app.info')]);
  apply(settings);
  settingsState.info = info;
  settingsState.loaded = true;
  on('settings.changed', apply);
}

export async function updateSettings(patch: SettingsPatch): Promise<void> {
  settingsState.saving = true;
  try {
    apply(await call('settings.set', patch));
  } catch (error) {
    reportError(error, 'settings.set');
  } finally {
    settingsState.saving = false;
  }
}

/**
 * Asks the host to make this app the handler of tel:, sip: and callto: links — only ever on the user's
 * request: the app never takes the phone links over by itself.
 */
export async function claimPhoneLinks(): Promise<LinkClaimOutcome> {
  return (await call('desktop.links.claim').catch(() => ({ outcome: 'unsupported' as const }))).outcome;
}

/** The scanner folder from the host's folder dialog (Electron only), saved like a typed one; cancelled changes nothing. */
export async function pickIntakeFolder(): Promise<void> {
  try {
    const picked = await call('intake.pickFolder');
    if (picked) await updateSettings({ intakeFolder: picked.folder });
  } catch (error) {
    reportError(error, 'intake.pickFolder');
  }
}
