import type { Ringtone } from '../../../../protocol/settings.js';
import type { Line } from './line.js';
import { Ringer } from './ringer.js';
import type { AudioDevicePrefs } from './types.js';

/** i18n keys of what the UI should tell the user about audio devices. */
export type DeviceNotice = 'phone.deviceGone' | 'phone.deviceFallback';

/**
 * Which device rings and carries the calls, and what happens when one goes away: the chosen
 * devices, the ringer with the ringtone setting, and the notice the UI shows after a fallback.
 */
export class AudioRouting {
  devices: AudioDevicePrefs;
  ringtone: Ringtone;
  readonly ringer: Ringer;
  private notice: DeviceNotice | undefined;

  constructor(
    options: { devices?: AudioDevicePrefs; ringtone?: Ringtone; ringtoneUrl?: string },
    private readonly log: (message: string) => void,
    private readonly changed: () => void,
  ) {
    this.devices = { ...options.devices };
    this.ringtone = options.ringtone ?? 'standard';
    this.ringer = new Ringer(options.ringtoneUrl);
  }

  /** The ringtone on the ringer device, as loud as the ringtone setting says (quieter while talking). */
  async ring(waiting: boolean): Promise<void> {
    await this.ringer.start(this.devices.ringer, waiting, this.ringtone);
    if (this.ringer.fellBack) this.tell('phone.deviceFallback', 'ringer device unavailable: ringing on the default device');
  }

  /** A new choice applies to a ringing ringtone and to every running call now; false (and a notice) on a fallback. */
  async apply(devices: AudioDevicePrefs, lines: Line[]): Promise<boolean> {
    const micChanged = devices.microphone !== this.devices.microphone;
    const ringerChanged = devices.ringer !== this.devices.ringer;
    this.devices = { ...devices };
    let ok = true;
    if (ringerChanged && this.ringer.active) ok = await this.ringer.setDevice(this.devices.ringer);
    for (const line of lines) ok = (await line.switchDevices(this.devices, micChanged)) && ok;
    if (!ok) this.tell('phone.deviceFallback', 'a chosen audio device is unavailable: using the default device');
    return ok;
  }

  /** After a `devicechange`: a chosen device that is gone falls back to the default, and we say so. */
  async devicesChanged(lines: Line[]): Promise<boolean> {
    const present = new Set((await navigator.mediaDevices.enumerateDevices()).map((device) => device.deviceId));
    const chosen = this.devices;
    const gone = (id: string | undefined) => id !== undefined && id !== '' && !present.has(id);
    if (!gone(chosen.microphone) && !gone(chosen.speaker) && !gone(chosen.ringer)) return false;
    await this.apply(
      {
        microphone: gone(chosen.microphone) ? undefined : chosen.microphone,
        speaker: gone(chosen.speaker) ? undefined : chosen.speaker,
        ringer: gone(chosen.ringer) ? undefined : chosen.ringer,
      },
      lines,
    );
    this.tell('phone.deviceGone', 'a chosen audio device was removed: falling back to the default device');
    return true;
  }

  /** The last notice for the UI, once. */
  takeNotice(): DeviceNotice | undefined {
    const notice = this.notice;
    this.notice = undefined;
    return notice;
  }

  private tell(notice: DeviceNotice, log: string): void {
    this.notice = notice;
    this.log(log);
    this.changed();
  }
}
