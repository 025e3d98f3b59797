import { registerUi } from '../../state/ui-slots.svelte.js';
import PhoneView from './PhoneView.svelte';

/** Puts the phone screen into the app frame's slot (imported once from main.ts). */
registerUi({ phoneView: PhoneView });
