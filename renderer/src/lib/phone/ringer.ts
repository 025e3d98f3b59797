import { setSink } from './media.js';

// Vite turns this into a hashed asset of the renderer build.
function ringtoneUrl(): string {
  try {
    return new URL('../../../../resources/ringtones/ring.wav', import.meta.url).href;
  } catch {
    // Bundles without import.meta.url (the test harness) ring silently.
    return '';
  }
}

/**
 * The ringtone on the ringer device (a loudspeaker while the headset carries the calls). A second
 * call during a conversation rings quieter: call waiting should be noticed, not startle.
 */
export class Ringer {
  private element: HTMLAudioElement | undefined;
  private ringing = false;
  /** Set when the chosen ringer device could not be used; the UI says so. */
  fellBack = false;

  async start(device: string | undefined, waiting: boolean): Promise<void> {
    if (this.ringing) return;
    this.ringing = true;
    const element = (this.element ??= new Audio(ringtoneUrl()));
    element.loop = true;
    element.volume = waiting ? 0.25 : 1;
    this.fellBack = !(await setSink(element, device));
    if (!this.ringing) return;
    element.currentTime = 0;
    // Autoplay may be refused before the first user gesture; the card still shows the call.
    await element.play().catch(() => undefined);
  }

  stop(): void {
    this.ringing = false;
    this.element?.pause();
  }

  get active(): boolean {
    return this.ringing;
  }
}
