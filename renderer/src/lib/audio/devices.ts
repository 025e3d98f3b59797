import ringtoneUrl from '../../../../resources/ringtones/ring.wav?url';

export interface AudioDevices {
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
  /** Labels are empty until the user allowed the microphone once. */
  labelled: boolean;
}

export async function listAudioDevices(): Promise<AudioDevices> {
  const all = await navigator.mediaDevices.enumerateDevices();
  const inputs = all.filter((d) => d.kind === 'audioinput');
  const outputs = all.filter((d) => d.kind === 'audiooutput');
  return { inputs, outputs, labelled: all.some((d) => d.label !== '') };
}

/** Asks for the microphone once so device names become visible, then lets it go. */
export async function unlockDeviceLabels(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  for (const track of stream.getTracks()) track.stop();
}

interface SinkElement {
  setSinkId?: (id: string) => Promise<void>;
}

async function playOn(element: HTMLAudioElement, deviceId: string): Promise<void> {
  const sink = element as unknown as SinkElement;
  if (sink.setSinkId) await sink.setSinkId.call(element, deviceId);
  await element.play();
}

/** A 440 Hz beep of one second on the chosen output device ('' = default). */
export async function playTestTone(deviceId: string, seconds = 1): Promise<void> {
  const context = new AudioContext();
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  const destination = context.createMediaStreamDestination();
  oscillator.frequency.value = 440;
  gain.gain.value = 0.2;
  oscillator.connect(gain).connect(destination);
  const element = new Audio();
  element.srcObject = destination.stream;
  oscillator.start();
  try {
    await playOn(element, deviceId);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  } finally {
    oscillator.stop();
    element.pause();
    element.srcObject = null;
    await context.close();
  }
}

/** Two seconds of the ringtone on the ringer device. */
export async function playTestRing(deviceId: string, volume = 1): Promise<void> {
  const element = new Audio(ringtoneUrl);
  element.volume = volume;
  try {
    await playOn(element, deviceId);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  } finally {
    element.pause();
  }
}

/**
 * A live microphone level (0…1) from an AnalyserNode, reported on every animation frame until
 * the returned stop function is called.
 */
export async function startLevelMeter(deviceId: string, onLevel: (level: number) => void): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: deviceId ? { deviceId: { exact: deviceId } } : true,
    video: false,
  });
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = (): void => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    // RMS scaled so normal speech fills about half the bar.
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
    frame = requestAnimationFrame(tick);
  };
  tick();
  return () => {
    cancelAnimationFrame(frame);
    for (const track of stream.getTracks()) track.stop();
    void context.close();
  };
}
