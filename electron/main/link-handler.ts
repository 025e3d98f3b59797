import type { LinkClaimOutcome } from '../../protocol/index.js';

/** The schemes the app answers; the installers declare them (electron-builder.config.ts, build/installer.nsh). */
export const LINK_SCHEMES = ['tel', 'sip', 'callto'] as const;

/** Windows 10 and later let only the user pick a default app; this opens that page of Settings. */
export const WINDOWS_DEFAULT_APPS = 'ms-settings:defaultapps';

/**
 * Makes the app the default for phone links, once, because the user asked (never at start: that
 * would take the links back from whatever the user chose since). macOS (LaunchServices) and Linux
 * (xdg-settings) accept `setAsDefaultProtocolClient`; Windows overrules it with the user's choice,
 * so there the Default-apps settings open, where the installer's registration lists the app.
 */
export function claimLinkSchemes(deps: {
  platform: NodeJS.Platform;
  packaged: boolean;
  /** app.setAsDefaultProtocolClient */
  makeDefault: (scheme: string) => boolean;
  openSettings: (url: string) => void;
}): LinkClaimOutcome {
  // An unpackaged build would register the bare Electron binary as the phone app.
  if (!deps.packaged) return 'unsupported';
  if (deps.platform === 'win32') {
    deps.openSettings(WINDOWS_DEFAULT_APPS);
    return 'opened-settings';
  }
  let all = true;
  for (const scheme of LINK_SCHEMES) all = deps.makeDefault(scheme) && all;
  return all ? 'registered' : 'unsupported';
}
