import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort as freePbxPort } from '../../pbx/daemons.js';
import {
  connectControl,
  freeSipPort,
  readControl,
  sendControl,
  writeBaresipConfig,
  type BaresipSetup,
} from '../../scripts/demo/baresip.js';
import { wavBytes } from '../../scripts/demo/speech.js';
import { startProcess, type Started } from './processes.js';

/** baresip as the tests' outside phone (scripts/demo/baresip.ts), with a generated tone as its microphone. */
export interface Baresip {
  proc: Started;
  /** Every ctrl_tcp event seen so far (CALL_INCOMING, CALL_ESTABLISHED, CALL_DTMF_START, …). */
  events: Array<{ type: string; param?: string; peeruri?: string; id?: string }>;
  command(command: string, params?: string): Promise<string>;
  waitForEvent(type: string, timeoutMs?: number, after?: number): Promise<{ type: string; param?: string }>;
  /** DTMF digits this baresip received (RFC 4733 telephone-events), in order. */
  dtmfReceived(): string;
  stop(): Promise<void>;
}

export interface BaresipOptions extends Pick<
  BaresipSetup,
  'user' | 'domain' | 'pbxPort' | 'pbxHost' | 'localIp' | 'register' | 'autoAnswer' | 'displayName'
> {
  /** The local SIP port (UDP); a free one when absent. A trunk's address must be known before the PBX starts. */
  sipPort?: number;
}

/** A free UDP+TCP port on loopback (probe; baresip binds it itself a moment later). */
export function freePort(): Promise<number> {
  return freePbxPort('both');
}

/** 16-bit mono PCM WAV: a 440 Hz tone, `seconds` long. */
export function toneWav(path: string, seconds = 20, rate = 8000): void {
  const samples = new Int16Array(seconds * rate);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  writeFileSync(path, wavBytes(samples, rate));
}

export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), `vermittlung-baresip-${options.user.replace(/\W/g, '')}-`));
  const [sipPort, ctrlPort] = [options.sipPort ?? (await freeSipPort()), await freePort()];
  const wav = join(dir, 'tone.wav');
  toneWav(wav);
  writeBaresipConfig(dir, { ...options, sipPort, ctrlPort, audioSource: wav, rtpTos: 0 });
  const proc = await startProcess('baresip', ['-f', dir], /baresip is ready|ua: .*registered|Listening on/i, {
    timeoutMs: 10_000,
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const socket = await connectControl(ctrlPort);
  const events: Baresip['events'] = [];
  const responses = new Map<string, (data: string) => void>();
  readControl(socket, (message) => {
    if (message.event) events.push(message as unknown as Baresip['events'][number]);
    else if (message.response && typeof message.token === 'string')
      responses.get(message.token)?.(typeof message.data === 'string' ? message.data : JSON.stringify(message.data ?? ''));
  });
  let tokens = 0;
  const command = (name: string, params?: string) =>
    new Promise<string>((resolve, reject) => {
      const token = `t${++tokens}`;
      const timer = setTimeout(() => reject(new Error(`baresip ${name}: no response`)), 5000);
      responses.set(token, (data) => {
        clearTimeout(timer);
        responses.delete(token);
        resolve(data);
      });
      sendControl(socket, name, params, token);
    });
  const waitForEvent = async (type: string, timeoutMs = 10_000, after = 0) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = events.slice(after).find((e) => e.type === type);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`baresip ${options.user}: no ${type} within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(',')}`);
  };
  return {
    proc,
    events,
    command,
    waitForEvent,
    dtmfReceived: () =>
      events
        .filter((e) => e.type === 'CALL_DTMF_START')
        .map((e) => e.param ?? '')
        .join(''),
    async stop() {
      socket.destroy();
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
