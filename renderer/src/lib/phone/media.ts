import type { Session } from 'sip.js';
import type { AudioDevicePrefs } from './types.js';

/** Chromium's `setSinkId`, not in every lib.dom yet. */
interface SinkElement {
  setSinkId?: (id: string) => Promise<void>;
}

interface SdhLike {
  peerConnection?: RTCPeerConnection;
  remoteMediaStream?: MediaStream;
}

export function peerConnectionOf(session: Session | undefined): RTCPeerConnection | undefined {
  return (session?.sessionDescriptionHandler as SdhLike | undefined)?.peerConnection;
}

/** Audio constraints for getUserMedia with the chosen microphone (or the default). */
export function microphoneConstraints(prefs: AudioDevicePrefs): MediaTrackConstraints | boolean {
  return prefs.microphone ? { deviceId: { exact: prefs.microphone } } : true;
}

/** Sets the output device; false when it is gone (the element keeps the default device). */
export async function setSink(element: HTMLMediaElement, deviceId: string | undefined): Promise<boolean> {
  const sink = element as unknown as SinkElement;
  if (!sink.setSinkId) return deviceId === undefined;
  try {
    await sink.setSinkId.call(element, deviceId ?? '');
    return true;
  } catch {
    if (deviceId) await sink.setSinkId.call(element, '').catch(() => undefined);
    return false;
  }
}

/** Plays a line's remote audio through one hidden <audio> element per line. */
export class RemoteAudio {
  private readonly element: HTMLAudioElement;

  constructor() {
    this.element = document.createElement('audio');
    this.element.autoplay = true;
    this.element.dataset.phoneAudio = '';
  }

  async attach(session: Session, speaker: string | undefined): Promise<boolean> {
    const stream = (session.sessionDescriptionHandler as SdhLike | undefined)?.remoteMediaStream;
    if (!stream) return true;
    this.element.srcObject = stream;
    const ok = await setSink(this.element, speaker);
    this.element.play().catch(() => undefined);
    return ok;
  }

  setSpeaker(speaker: string | undefined): Promise<boolean> {
    return setSink(this.element, speaker);
  }

  detach(): void {
    this.element.pause();
    this.element.srcObject = null;
  }
}

/** Swaps the microphone of a running call without renegotiation (replaceTrack). */
export async function replaceMicrophone(session: Session, prefs: AudioDevicePrefs, muted: boolean): Promise<boolean> {
  const pc = peerConnectionOf(session);
  if (!pc) return false;
  const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(prefs), video: false });
  const track = stream.getAudioTracks()[0];
  if (!track) return false;
  track.enabled = !muted;
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind === 'audio' || (sender.track === null && sender.dtmf)) {
      const old = sender.track;
      await sender.replaceTrack(track);
      old?.stop();
    }
  }
  return true;
}

export function setSendersEnabled(session: Session, enabled: boolean): void {
  for (const sender of peerConnectionOf(session)?.getSenders() ?? []) {
    if (sender.track) sender.track.enabled = enabled;
  }
}

/** Packet counters for the UI's quality hint, tests and the benchmark. */
export async function audioPackets(session: Session | undefined): Promise<{ inbound: number; outbound: number }> {
  const pc = peerConnectionOf(session);
  let inbound = 0;
  let outbound = 0;
  if (!pc) return { inbound, outbound };
  const report = await pc.getStats();
  report.forEach((entry: { type?: string; kind?: string; packetsReceived?: number; packetsSent?: number }) => {
    if (entry.kind !== 'audio') return;
    if (entry.type === 'inbound-rtp') inbound += entry.packetsReceived ?? 0;
    if (entry.type === 'outbound-rtp') outbound += entry.packetsSent ?? 0;
  });
  return { inbound, outbound };
}
