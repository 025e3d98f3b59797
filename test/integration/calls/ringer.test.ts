import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchPageErrors } from '../../helpers/chromium.js';
import de from '../../../renderer/src/lib/i18n/messages/de.json' with { type: 'json' };

// The ringer of the production engine in Debian's Chromium with fake audio devices: it rings on the
// chosen ringer device (setSinkId), as loud as the ringtone setting says, and when the chosen device
// disappears it moves to the default device and the engine says so.

interface Output {
  sinkId: string;
  audible: boolean;
  volume: number;
}
interface RingerTest {
  start(ringtoneUrl: string, ringtone: 'standard' | 'quiet' | 'silent'): void;
  outputs(): Promise<Array<{ id: string; label: string }>>;
  setDevices(devices: { microphone?: string; speaker?: string; ringer?: string }): Promise<boolean>;
  setRingtone(ringtone: 'standard' | 'quiet' | 'silent'): void;
  ring(waiting: boolean): Promise<void>;
  stopRinging(): void;
  output(): Output;
  devices(): { microphone?: string; speaker?: string; ringer?: string };
  notice(): string | undefined;
  logs(): string[];
  unplug(deviceId: string): void;
}
declare const window: { ringerTest: RingerTest };

const ROOT = join(import.meta.dirname, '..', '..', '..');
let server: Server;
let browser: Browser;
let page: Page;
let errors: string[];
let origin: string;

beforeAll(async () => {
  const built = await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'ringer-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const bundle = built.outputFiles[0]!.text;
  const wav = readFileSync(join(ROOT, 'resources', 'ringtones', 'ring.wav'));
  server = createServer((request, response) => {
    if (request.url === '/ring.wav') {
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      response.end(wav);
    } else if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(bundle);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<!doctype html><title>ringer</title><link rel="icon" href="data:,"><body><button>x</button><script src="/bundle.js"></script>',
      );
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  errors = watchPageErrors(page);
  await page.goto(`${origin}/`);
  // A user gesture, as the app has one long before the first call: autoplay is then allowed.
  await page.click('button');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

const output = () => page.evaluate(() => window.ringerTest.output());

describe('ringer', () => {
  it('rings on the chosen ringer device; unplugging it falls back to the default and says so (German)', async () => {
    await page.evaluate((url) => window.ringerTest.start(url, 'standard'), `${origin}/ring.wav`);
    const outputs = await page.evaluate(() => window.ringerTest.outputs());
    const chosen = outputs.find((o) => o.id !== 'default' && o.id !== '');
    expect(chosen, JSON.stringify(outputs)).toBeDefined();
    expect(await page.evaluate((id) => window.ringerTest.setDevices({ ringer: id }), chosen!.id)).toBe(true);
    await page.evaluate(() => window.ringerTest.ring(false));
    await expect.poll(output).toMatchObject({ sinkId: chosen!.id, audible: true, volume: 1 });
    expect(await page.evaluate(() => window.ringerTest.notice())).toBeUndefined();

    await page.evaluate((id) => window.ringerTest.unplug(id), chosen!.id);
    await expect.poll(() => page.evaluate(() => window.ringerTest.devices().ringer ?? 'default')).toBe('default');
    // Still ringing, now on the default device.
    await expect.poll(output).toMatchObject({ sinkId: '', audible: true });
    const notice = await page.evaluate(() => window.ringerTest.notice());
    expect(notice).toBe('phone.deviceGone');
    expect(de.phone.deviceGone).toMatch(/entfernt.*Standardgerät/);
    expect((await page.evaluate(() => window.ringerTest.logs())).join('\n')).toMatch(/removed: falling back/);
    await page.evaluate(() => window.ringerTest.stopRinging());
    expect((await output()).audible).toBe(false);
  });

  it('a ringer device that cannot be used rings on the default device and says so', async () => {
    await page.evaluate(() => window.ringerTest.setDevices({ ringer: 'no-such-device' }));
    await page.evaluate(() => window.ringerTest.notice());
    await page.evaluate(() => window.ringerTest.ring(false));
    await expect.poll(output).toMatchObject({ sinkId: '', audible: true });
    expect(await page.evaluate(() => window.ringerTest.notice())).toBe('phone.deviceFallback');
    expect(de.phone.deviceFallback).toMatch(/nicht verfügbar.*Standardgerät/);
    await page.evaluate(() => window.ringerTest.stopRinging());
    await page.evaluate(() => window.ringerTest.setDevices({}));
    await page.evaluate(() => window.ringerTest.notice());
  });

  it('applies the ringtone setting: standard loud, quiet softer, silent does not sound; call waiting quieter still', async () => {
    const ringAndRead = async (ringtone: 'standard' | 'quiet' | 'silent', waiting: boolean) => {
      await page.evaluate((r) => window.ringerTest.setRingtone(r), ringtone);
      await page.evaluate((w) => window.ringerTest.ring(w), waiting);
      const seen = await output();
      await page.evaluate(() => window.ringerTest.stopRinging());
      return seen;
    };
    expect(await ringAndRead('standard', false)).toMatchObject({ audible: true, volume: 1 });
    const quiet = await ringAndRead('quiet', false);
    expect(quiet.audible).toBe(true);
    expect(quiet.volume).toBeCloseTo(0.3);
    expect((await ringAndRead('quiet', true)).volume).toBeCloseTo(0.075);
    expect((await ringAndRead('silent', false)).audible).toBe(false);
    expect(errors).toEqual([]);
  });
});
