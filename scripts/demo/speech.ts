/**
 * The customer's voice: espeak-ng speaks German into a WAV, which becomes what baresip's aufile
 * source needs for PCMU (8 kHz, mono, 16 bit; TEST-STACK pitfall 5). espeak-ng writes 22,050 Hz; the
 * resampling here is plain linear interpolation, good enough for a voice on a telephone line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const RATE = 8000;

interface Pcm {
  rate: number;
  channels: number;
  samples: Int16Array;
}

/** The PCM samples of a 16-bit WAV (the chunks espeak-ng writes; others are skipped). */
export function readWav(bytes: Buffer): Pcm {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let at = 12;
  let rate = 0;
  let channels = 0;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('ascii', at, at + 4);
    // espeak-ng writing to a file leaves the data size at 0x7fffffff when it cannot seek back; clamp it.
    const size = Math.min(bytes.readUInt32LE(at + 4), bytes.length - at - 8);
    if (id === 'fmt ') {
      channels = bytes.readUInt16LE(at + 10);
      rate = bytes.readUInt32LE(at + 12);
      if (bytes.readUInt16LE(at + 22) !== 16) throw new Error('only 16-bit WAV is supported');
    } else if (id === 'data') {
      const samples = new Int16Array(Math.floor(size / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(at + 8 + i * 2);
      return { rate, channels, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV without data');
}

/** Mono at `rate` Hz, linearly interpolated. */
export function resampleMono(pcm: Pcm, rate = RATE): Int16Array {
  const frames = Math.floor(pcm.samples.length / pcm.channels);
  const mono = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < pcm.channels; c++) sum += pcm.samples[f * pcm.channels + c]!;
    mono[f] = sum / pcm.channels;
  }
  const outFrames = Math.floor((frames * rate) / pcm.rate);
  const out = new Int16Array(outFrames);
  for (let i = 0; i < outFrames; i++) {
    const pos = (i * pcm.rate) / rate;
    const left = Math.floor(pos);
    const right = Math.min(left + 1, frames - 1);
    const frac = pos - left;
    out[i] = Math.round(mono[left]! * (1 - frac) + mono[right]! * frac);
  }
  return out;
}

export function wavBytes(samples: Int16Array, rate = RATE): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i]!, i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function speak(text: string): Int16Array {
  const run = spawnSync('espeak-ng', ['-v', 'de', '-s', '150', '--stdout', text], { maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0 || !run.stdout?.length)
    throw new Error(`espeak-ng failed: ${run.stderr?.toString() ?? run.error?.message}`);
  return resampleMono(readWav(run.stdout));
}

/**
 * `file`: the customer's side of the call, written once and reused: a second of silence, the
 * sentence, a pause, a short follow-up, then silence up to `totalSeconds` (baresip ends the call
 * when its source file runs out, so the file is the longest a customer stays on the line).
 */
export function customerVoice(file: string, text: string, totalSeconds = 120): string {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const parts = [new Int16Array(RATE), speak(text), new Int16Array(RATE * 5), speak('Hallo? Sind Sie noch da?')];
  const total = Math.max(
    RATE * totalSeconds,
    parts.reduce((n, p) => n + p.length, 0),
  );
  const samples = new Int16Array(total);
  let at = 0;
  for (const part of parts) {
    samples.set(part, at);
    at += part.length;
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, wavBytes(samples));
  renameSync(tmp, file);
  return file;
}

/** A WAV's duration in seconds (for tests and the log). */
export function wavSeconds(file: string): number {
  const pcm = readWav(readFileSync(file));
  return pcm.samples.length / pcm.channels / pcm.rate;
}
