import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { announcementFile } from './firm-timeline.js';

/**
 * Spoken announcements for closed firms: espeak-ng's German voice, resampled to 8 kHz mono 16-bit
 * PCM (what a G.711 call carries, so rtpengine only encodes), one WAV per distinct text in DIR.
 */
const RATE = 8000;
const HEADER = 44;

/** The length in ms of a WAV this module wrote (fixed 44-byte header, 8 kHz, 16 bit mono). */
export function wavMs(path: string): number {
  return Math.round(((statSync(path).size - HEADER) / 2 / RATE) * 1000);
}

function wavHeader(bytes: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(bytes, 40);
  return h;
}

/** espeak-ng's WAV (any rate, mono 16 bit) as 8 kHz: linear interpolation is plenty for speech on G.711. */
export function resampleWav(wav: Buffer): Buffer {
  const rate = wav.readUInt32LE(24);
  let offset = 12;
  while (offset + 8 <= wav.length && wav.toString('ascii', offset, offset + 4) !== 'data')
    offset += 8 + wav.readUInt32LE(offset + 4);
  const start = offset + 8;
  // espeak-ng writing to a pipe leaves the data size unset: take the rest of the buffer.
  const samples = Math.floor((wav.length - start) / 2);
  const outCount = Math.floor((samples * RATE) / rate);
  const out = Buffer.alloc(outCount * 2);
  for (let i = 0; i < outCount; i += 1) {
    const pos = (i * rate) / RATE;
    const j = Math.floor(pos);
    const a = wav.readInt16LE(start + 2 * Math.min(j, samples - 1));
    const b = wav.readInt16LE(start + 2 * Math.min(j + 1, samples - 1));
    out.writeInt16LE(Math.round(a + (b - a) * (pos - j)), i * 2);
  }
  return Buffer.concat([wavHeader(out.length), out]);
}

function store(dir: string, text: string, wav: Buffer): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, announcementFile(text));
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, resampleWav(wav));
  renameSync(tmp, file);
  return file;
}

const ESPEAK = (text: string) => ['-v', 'de', '-s', '160', '--stdout', text];

/** The announcement's WAV, spoken now if it is not there yet (about 0.1 s). */
export function speakNow(dir: string, text: string): string {
  const file = join(dir, announcementFile(text));
  if (existsSync(file)) return file;
  return store(dir, text, execFileSync('espeak-ng', ESPEAK(text), { maxBuffer: 64 * 1024 * 1024 }));
}

/** The same in the background. */
export function speakLater(dir: string, text: string): Promise<string> {
  const file = join(dir, announcementFile(text));
  if (existsSync(file)) return Promise.resolve(file);
  return new Promise((resolve, reject) => {
    execFile('espeak-ng', ESPEAK(text), { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(new Error(`espeak-ng failed: ${error.message}`));
      else resolve(store(dir, text, stdout));
    });
  });
}
