import { registerUi } from '../../state/ui-slots.svelte.js';
import CallCardSlot from './CallCardSlot.svelte';
import PhoneStatus from './PhoneStatus.svelte';
import PhoneView from './PhoneView.svelte';

/**
 * Puts the phone into the app frame's slots (imported once from main.ts): its screen, the call card
 * over every other screen (which also starts the phone with the app) and its registration state in
 * the status bar.
 */
registerUi({ phoneView: PhoneView, callCard: CallCardSlot, phoneStatus: PhoneStatus });
