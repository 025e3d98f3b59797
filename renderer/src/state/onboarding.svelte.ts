const SKIPPED_KEY = 'vermittlung.onboarding.skipped';

/**
 * Whether the "Zugang einrichten" screen is shown: by itself while no identity exists (until the
 * user chooses "Später einrichten" or another screen, for the rest of this session), or on request
 * from Settings.
 */
export const onboarding = $state({ open: false, skipped: sessionStorage.getItem(SKIPPED_KEY) === '1' });

export function leaveOnboarding(): void {
  onboarding.open = false;
  onboarding.skipped = true;
  sessionStorage.setItem(SKIPPED_KEY, '1');
}
