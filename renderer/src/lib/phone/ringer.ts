import type { Ringtone } from '../../../../protocol/settings.js';
import { setSink } from './media.js';

// Vite turns this into a hashed asset of the renderer build.
function defaultRingtoneUrl(): string {
  try {
    return new URL('../../../../resources/ringtones/ring.wav', import.meta.url).href;
  } catch {
    // Bundles without import.meta.url (the test harness) ring silently unless given a URL.
    return '';
  }
}

/** Ringtone setting → volume; `silent` rings on the card and the notification only. */
const VOLUME: Record<Exclude<Ringtone, 'silent'>, number> = { standard: 1, quiet: 0.3 };
/** A second call during a conversation rings quieter: call waiting should be noticed, not startle. */
const WAITING_FACTOR = 0.25;

/** The ringtone on the ringer device (a loudspeaker while the headset carries the calls). */
export class Ringer {
  private element: HTMLAudioElement | undefined;
  private ringing = false;
  /** Set when the chosen ringer device could not be used; the UI says so. */
  fellBack = false;

  constructor(private readonly url = defaultRingtoneUrl()) {}

  async start(device: string | undefined, waiting: boolean, ringtone: Ringtone = 'standard'): Promise<void> {
    if (this.ringing) return;
    this.ringing = true;
    if (ringtone === 'silent') return;
    const element = (this.element ??= new Audio(this.url));
    element.loop = true;
    element.volume = VOLUME[ringtone] * (waiting ? WAITING_FACTOR : 1);
    this.fellBack = !(await setSink(element, device));
    if (!this.ringing) return;
    element.currentTime = 0;
    // Autoplay may be refused before the first user gesture; the card still shows the call.
    await element.play().catch(() => undefined);
  }

  /** Moves the ringtone to another device now (a new choice, or the chosen one was unplugged). */
  async setDevice(device: string | undefined): Promise<boolean> {
    if (!this.element) return true;
    const ok = await setSink(this.element, device);
    this.fellBack = !ok;
    return ok;
  }

  stop(): void {
    this.ringing = false;
    this.element?.pause();
  }

  get active(): boolean {
    return this.ringing;
  }

  /** What is observable: the output device (`''` = default), whether it sounds, how loud. */
  get output(): { sinkId: string; audible: boolean; volume: number } {
    const element = this.element;
    const sinkId = (element as { sinkId?: string } | undefined)?.sinkId ?? '';
    return { sinkId, audible: this.ringing && element !== undefined && !element.paused, volume: element?.volume ?? 0 };
  }
}
