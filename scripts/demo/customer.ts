/**
 * The customer: one baresip process per call, an outside SIP phone that reaches the PBX over UDP (the
 * side a carrier's trunk uses) from an outside number and speaks the firm's customer text. It hangs
 * up by itself after a while, when nobody answers, or stops when the teleworker hangs up. baresip 1.0
 * as the tests use it (TEST-STACK pitfall 5): PCMU only, aufile as the microphone, ctrl_tcp for
 * commands and events (netstring JSON).
 */
import { mkdirSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../pbx/daemons.js';
import { connectControl, freeSipPort, readControl, sendControl, writeBaresipConfig } from './baresip.js';
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
  const [sipPort, ctrlPort] = [await freeSipPort(), await freePort('tcp')];
  writeBaresipConfig(dir, {
    user: plan.from,
    domain: options.sipDomain,
    pbxPort: options.pbxUdpPort,
    sipPort,
    ctrlPort,
    audioSource: plan.voice,
  });
  const proc: Child = await startChild('customer', 'baresip', ['-f', dir], join(options.logDir, `customer-${plan.id}.log`), {
    ready: /baresip is ready|Listening on/i,
    timeoutMs: 10_000,
  });
  let socket: Socket;
  try {
    socket = await connectControl(ctrlPort);
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
  const send = (command: string, params?: string) => sendControl(socket, command, params, `t${++tokens}`);
  readControl(socket, (message) => {
    if (!message.event) return;
    if (message.type === 'CALL_RINGING' && call.state === 'calling') change('ringing');
    if (message.type === 'CALL_ESTABLISHED') {
      change('connected');
      clearTimeout(timer);
      timer = setTimeout(() => void call.hangup('Kunde hat nach dem Gespräch aufgelegt'), options.talkMs ?? 60_000);
    }
    if (message.type === 'CALL_CLOSED')
      void close(ownReason ?? (call.state === 'connected' ? 'Telearbeiterin hat aufgelegt' : 'nicht angenommen oder abgelehnt'));
  });
  void proc.exited.then(() => close('baresip beendet'));
  timer = setTimeout(() => void call.hangup('niemand hat abgenommen'), options.ringMs ?? 45_000);
  send('dial', `sip:${plan.dial}@${options.sipDomain}`);
  options.onChange?.(call);
  return call;
}
