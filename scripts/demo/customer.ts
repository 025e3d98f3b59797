/**
 * The customer: one baresip process per call, an outside SIP phone that reaches the PBX over UDP (the
 * side a carrier's trunk uses) from an outside number and speaks the firm's customer text. It hangs
 * up by itself after a while, when nobody answers, or stops when the teleworker hangs up. baresip 1.0
 * as the tests use it (TEST-STACK pitfall 5): PCMU only, aufile as the microphone, ctrl_tcp for
 * commands and events (netstring JSON).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../pbx/daemons.js';
import { startChild, type Child } from './children.js';

export interface CallPlan {
  id: number;
  firmId: string;
  firmName: string;
  /** The firm's number (E.164) the customer dials. */
  dial: string;
  /** The customer's own number (E.164), the From of the INVITE. */
  from: string;
  /** The contact's name when the number is in the firm's contacts, else null. */
  knownAs: string | null;
  voice: string;
}

export type CallState = 'calling' | 'ringing' | 'connected' | 'ended';

export interface CustomerCall {
  plan: CallPlan;
  state: CallState;
  /** Why it ended, in German, for the control page. */
  ending: string | null;
  startedAt: number;
  pid: number;
  hangup(reason?: string): Promise<void>;
  ended: Promise<void>;
}

export interface CustomerOptions {
  workDir: string;
  logDir: string;
  sipDomain: string;
  pbxUdpPort: number;
  /** Hang up this long after the answer (default 60 s). */
  talkMs?: number;
  /** Give up when nobody answers within this (default 45 s). */
  ringMs?: number;
  onChange?: (call: CustomerCall) => void;
}

export async function placeCall(plan: CallPlan, options: CustomerOptions): Promise<CustomerCall> {
  const dir = join(options.workDir, `caller-${plan.id}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [sipPort, ctrlPort] = [await freePort('both'), await freePort('tcp')];
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${sipPort}`,
      'net_interface 127.0.0.1',
      `audio_source aufile,${plan.voice}`,
      'audio_player aufile,/dev/null',
      'audio_alert aufile,/dev/null',
      'audio_srate 8000',
      'audio_channels 1',
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
  const outbound = `;regint=0;outbound="sip:127.0.0.1:${options.pbxUdpPort};transport=udp";audio_codecs=PCMU`;
  writeFileSync(join(dir, 'accounts'), `<sip:${plan.from}@${options.sipDomain};transport=udp>${outbound}\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const proc: Child = await startChild('customer', 'baresip', ['-f', dir], join(options.logDir, `customer-${plan.id}.log`), {
    ready: /baresip is ready|Listening on/i,
    timeoutMs: 10_000,
  });
  let socket: Socket;
  try {
    socket = await new Promise<Socket>((resolve, reject) => {
      const attempt = (left: number) => {
        const s = connect(ctrlPort, '127.0.0.1', () => resolve(s));
        s.once('error', (error) => (left > 0 ? setTimeout(() => attempt(left - 1), 100) : reject(error)));
      };
      attempt(30);
    });
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  socket.on('error', () => undefined);

  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  let timer: NodeJS.Timeout | undefined;
  /** Set when this side hangs up, so the CALL_CLOSED that follows keeps the reason. */
  let ownReason: string | undefined;
  const call: CustomerCall = {
    plan,
    state: 'calling',
    ending: null,
    startedAt: Date.now(),
    pid: proc.pid,
    ended,
    hangup: async (reason = 'Kunde hat aufgelegt') => {
      if (call.state === 'ended') return;
      ownReason ??= reason;
      send('hangup');
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1500))]);
      await close(reason);
    },
  };
  const change = (state: CallState) => {
    call.state = state;
    options.onChange?.(call);
  };
  const close = async (reason: string) => {
    if (call.state === 'ended') return;
    clearTimeout(timer);
    call.ending = reason;
    change('ended');
    socket.destroy();
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    finish();
  };
  let tokens = 0;
  const send = (command: string, params?: string) => {
    const json = JSON.stringify({ command, params, token: `t${++tokens}` });
    socket.write(`${Buffer.byteLength(json)}:${json},`);
  };
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString());
      if (buffer.length < colon + 1 + length + 1) return;
      const message = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString()) as { event?: boolean; type?: string };
      buffer = buffer.subarray(colon + 2 + length);
      if (!message.event) continue;
      if (message.type === 'CALL_RINGING' && call.state === 'calling') change('ringing');
      if (message.type === 'CALL_ESTABLISHED') {
        change('connected');
        clearTimeout(timer);
        timer = setTimeout(() => void call.hangup('Kunde hat nach dem Gespräch aufgelegt'), options.talkMs ?? 60_000);
      }
      if (message.type === 'CALL_CLOSED')
        void close(
          ownReason ?? (call.state === 'connected' ? 'Telearbeiterin hat aufgelegt' : 'nicht angenommen oder abgelehnt'),
        );
    }
  });
  void proc.exited.then(() => close('baresip beendet'));
  timer = setTimeout(() => void call.hangup('niemand hat abgenommen'), options.ringMs ?? 45_000);
  send('dial', `sip:${plan.dial}@${options.sipDomain}`);
  options.onChange?.(call);
  return call;
}
