import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wavBytes } from '../../scripts/demo/speech.js';
import { startProcess, type Started } from './processes.js';

/**
 * baresip 1.0 as an outside SIP phone on UDP (TEST-STACK pitfall 5): its own config dir, PCMU only
 * (so a mono 8 kHz WAV matches the codec), a generated tone as the aufile source, no audio player,
 * and ctrl_tcp (netstring JSON) for commands and events — stdin is not a terminal in tests.
 */
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

export interface BaresipOptions {
  /** SIP user (the From user when dialling; the registered user when `register`). */
  user: string;
  domain: string;
  /** The PBX's UDP port on `pbxHost`. */
  pbxPort: number;
  /** Where the PBX listens (default 127.0.0.1). */
  pbxHost?: string;
  /** The address baresip's SIP and media use (default 127.0.0.1): one that reaches `pbxHost`. */
  localIp?: string;
  register?: boolean;
  autoAnswer?: boolean;
  /** The local SIP port (UDP); a free one when absent. A trunk's address must be known before the PBX starts. */
  sipPort?: number;
  /** The display name in From: whatever a caller chooses to claim. */
  displayName?: string;
}

/** A free UDP+TCP port on loopback (probe; baresip binds it itself a moment later). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
      server.once('error', reject);
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** 16-bit mono PCM WAV: a 440 Hz tone, `seconds` long. */
export function toneWav(path: string, seconds = 20, rate = 8000): void {
  const samples = new Int16Array(seconds * rate);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  writeFileSync(path, wavBytes(samples, rate));
}

export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), `vermittlung-baresip-${options.user.replace(/\W/g, '')}-`));
  const [sipPort, ctrlPort] = [options.sipPort ?? (await freePort()), await freePort()];
  const wav = join(dir, 'tone.wav');
  toneWav(wav);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${options.localIp ?? '127.0.0.1'}:${sipPort}`,
      `net_interface ${options.localIp ?? '127.0.0.1'}`,
      `audio_source aufile,${wav}`,
      'audio_player aufile,/dev/null',
      'audio_alert aufile,/dev/null',
      'audio_srate 8000',
      'audio_channels 1',
      'rtp_tos 0',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      '',
    ].join('\n'),
  );
  const params = [
    `;regint=${options.register ? 300 : 0}`,
    `;outbound="sip:${options.pbxHost ?? '127.0.0.1'}:${options.pbxPort};transport=udp"`,
    ';audio_codecs=PCMU',
    options.autoAnswer ? ';answermode=auto' : '',
  ].join('');
  const name = options.displayName ? `"${options.displayName.replace(/["\\]/g, '')}" ` : '';
  writeFileSync(join(dir, 'accounts'), `${name}<sip:${options.user}@${options.domain};transport=udp>${params}\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const proc = await startProcess('baresip', ['-f', dir], /baresip is ready|ua: .*registered|Listening on/i, {
    timeoutMs: 10_000,
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const socket = await new Promise<Socket>((resolve, reject) => {
    const attempt = (left: number) => {
      const s = connect(ctrlPort, '127.0.0.1', () => resolve(s));
      s.once('error', (error) => (left > 0 ? setTimeout(() => attempt(left - 1), 100) : reject(error)));
    };
    attempt(30);
  });
  const events: Baresip['events'] = [];
  const responses = new Map<string, (data: string) => void>();
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString());
      if (buffer.length < colon + 1 + length + 1) return;
      const json = buffer.subarray(colon + 1, colon + 1 + length).toString();
      buffer = buffer.subarray(colon + 2 + length);
      const message = JSON.parse(json) as Record<string, unknown>;
      if (message.event) events.push(message as unknown as Baresip['events'][number]);
      else if (message.response && typeof message.token === 'string')
        responses.get(message.token)?.(typeof message.data === 'string' ? message.data : JSON.stringify(message.data ?? ''));
    }
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
      const json = JSON.stringify({ command: name, params, token });
      socket.write(`${Buffer.byteLength(json)}:${json},`);
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
