/**
 * Whether the "Zugang einrichten" screen is shown: by itself while no identity exists (until the
 * user chooses "Später einrichten" or another screen), or on request from Settings.
 */
export const onboarding = $state({ open: false, skipped: false });

export function leaveOnboarding(): void {
  onboarding.open = false;
  onboarding.skipped = true;
}
