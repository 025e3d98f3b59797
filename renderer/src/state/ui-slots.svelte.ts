import type { Component } from 'svelte';

/**
 * Places in the app frame that other capabilities fill without editing App.svelte: the phone
 * module registers its view, its call card (shown over every screen while a call is live) and its
 * status bar item (registration state) once at startup.
 */
export interface UiSlots {
  /** The "Telefon" screen. */
  phoneView?: Component | undefined;
  /** Always mounted, above the current screen; renders nothing while there is no call. */
  callCard?: Component | undefined;
  /** One item in the global status bar (e.g. SIP registration). */
  phoneStatus?: Component | undefined;
  /** Live presence of colleagues for the team list, keyed by user id. */
  presence?: Record<string, PresenceState> | undefined;
}

export type PresenceState = 'available' | 'away' | 'dnd' | 'busy' | 'wrapup' | 'ringing' | 'offline' | 'unknown';

export const uiSlots: UiSlots = $state({});

export function registerUi(slots: Partial<UiSlots>): void {
  Object.assign(uiSlots, slots);
}
