import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customerVoice, readWav, resampleMono, wavBytes, wavSeconds } from '../../../../scripts/demo/speech.js';

describe('the customer voice for baresip', () => {
  it('resamples and downmixes to 8 kHz mono, keeping a tone at its pitch', () => {
    // One second of a 1 kHz tone at 22,050 Hz stereo: 8,000 samples at 8 kHz, 1,000 periods.
    const rate = 22_050;
    const stereo = new Int16Array(rate * 2);
    for (let i = 0; i < rate; i++)
      stereo[2 * i] = stereo[2 * i + 1] = Math.round(10_000 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    const out = resampleMono({ rate, channels: 2, samples: stereo });
    expect(out.length).toBe(8000);
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1]! < 0 && out[i]! >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(998);
    expect(crossings).toBeLessThanOrEqual(1001);
    expect(Math.max(...out)).toBeGreaterThan(9000);
  });

  it('writes a WAV that reads back as PCM 8 kHz mono', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const pcm = readWav(wavBytes(samples));
    expect(pcm).toMatchObject({ rate: 8000, channels: 1 });
    expect([...pcm.samples]).toEqual([...samples]);
    expect(() => readWav(Buffer.from('not a wav at all, but long enough'))).toThrow('not a WAV file');
  });

  it.runIf(existsSync('/usr/bin/espeak-ng'))('speaks German with espeak-ng, once per file, as long as asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-voice-'));
    try {
      const file = customerVoice(join(dir, 'voice', 'tischlerei.wav'), 'Guten Tag, ich hätte gern einen Termin.', 20);
      expect(wavSeconds(file)).toBeCloseTo(20, 1);
      const pcm = readWav(readFileSync(file));
      expect(pcm).toMatchObject({ rate: 8000, channels: 1 });
      // The speech is in the first seconds: not silence.
      expect(pcm.samples.slice(8000, 8000 * 4).some((s) => Math.abs(s) > 1000)).toBe(true);
      const made = readFileSync(file);
      customerVoice(file, 'ein anderer Text', 20);
      expect(readFileSync(file).equals(made)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
