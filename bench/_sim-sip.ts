/**
 * The SIP side of a simulated app (bench/_sim-app.ts): one WSS connection to the real Kamailio with
 * the user's client certificate, hand-written SIP — REGISTER with refresh and OPTIONS keep-alive as
 * the app's registration does (renderer/src/lib/phone/registration.ts), WebSocket pings as
 * PbxConnection does, presence PUBLISH, SUBSCRIBE to each colleague, and plain calls (INVITE with an
 * SDP offer that rtpengine rewrites, 200, ACK, BYE). No SIP stack: hundreds of these fit in one
 * process, and every answer still comes from Kamailio.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { buildPidf } from '../renderer/src/lib/presence/pidf.js';

export interface SimTls {
  key: string;
  cert: string;
  ca: string;
}

/** The publication's and the subscriptions' lifetime, as the app asks for it. */
const PRESENCE_EXPIRES_S = 600;
const rand = (n = 6) => randomBytes(n).toString('hex');
const header = (message: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(message)?.[1]?.trim() ?? '';
const headers = (message: string, name: string) =>
  [...message.matchAll(new RegExp(`^${name}:\\s*(.*)$`, 'gim'))].map((m) => m[1]!.trim());
export const sipStatus = (message: string) => Number(/^SIP\/2\.0 (\d{3})/.exec(message)?.[1] ?? 0);
const sdp = (session: string) =>
  [
    'v=0',
    `o=- ${session} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 9 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

interface Pending {
  resolve(message: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface SimCall {
  callId: string;
  fromTag: string;
  toTag: string;
  /** The route set from the 200's Record-Route, reversed (RFC 3261 §12.1.2). */
  route: string[];
  remoteTarget: string;
  cseq: number;
}

export class SimSip {
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly host = `${rand(4)}.invalid`;
  private readonly regCallId = `${rand(8)}@sim`;
  private regCseq = 1;
  private etag: string | undefined;
  private readonly pubCallId = `${rand(8)}@sim`;
  private pubCseq = 1;
  private timers: NodeJS.Timeout[] = [];
  /** The team subscriptions' dialogs, refreshed and ended as the app's subscriber does. */
  private readonly subscriptions: Array<{ target: string; callId: string; fromTag: string; toTag: string; cseq: number }> = [];
  /** NOTIFY bodies heard, per presentity: the watcher side of a team subscription. */
  onNotify: ((presentity: string, body: string, at: number) => void) | undefined;
  callsAnswered = 0;

  constructor(
    private readonly url: string,
    readonly user: string,
    private readonly domain: string,
    private readonly tls: SimTls,
  ) {}

  /**
   * Opens the WSS connection, again after a reset of the TLS handshake (the app's own PBX connection
   * reconnects the same way); a refused upgrade is not retried.
   */
  async connect(attempts = 3): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connectOnce();
      } catch (error) {
        if (attempt >= attempts || (error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const socket = new WebSocket(this.url, 'sip', { ...this.tls, perMessageDeflate: false, handshakeTimeout: 15_000 });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`${this.user}: WSS upgrade refused (${res.statusCode})`)),
      );
    });
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => this.received(data.toString()));
    this.socket = socket;
  }

  /** REGISTER; resolves with the ms from sending to the 200. */
  async register(expires = 300): Promise<number> {
    const started = performance.now();
    const reply = await this.request('REGISTER', {
      ruri: `sip:${this.domain}`,
      to: this.user,
      callId: this.regCallId,
      cseq: this.regCseq++,
      contactParams: `;expires=${expires}`,
    });
    if (sipStatus(reply) !== 200) throw new Error(`${this.user}: REGISTER answered ${reply.split('\r\n')[0]}`);
    return performance.now() - started;
  }

  /**
   * What the app keeps doing while idle: WebSocket pings (15 s), OPTIONS (25 s), REGISTER refresh (80 % of
   * 300 s), and the refresh of its publication and subscriptions (80 % of their 600 s) — without which
   * Kamailio would expire every app's presence state at once, ten minutes after the apps started.
   */
  startKeepAlive(): void {
    const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4);
    this.timers.push(setInterval(() => this.socket?.ping(), jitter(15_000)));
    this.timers.push(
      setInterval(
        () => void this.request('OPTIONS', { ruri: `sip:${this.domain}`, to: this.user }).catch(() => undefined),
        jitter(25_000),
      ),
    );
    this.timers.push(setInterval(() => void this.register().catch(() => undefined), jitter(240_000)));
    this.timers.push(setInterval(() => void this.refreshPresence(PRESENCE_EXPIRES_S).catch(() => undefined), jitter(480_000)));
    for (const timer of this.timers) timer.unref();
  }

  /** `note` rides along in the PIDF, so a watcher can tell this publication from an earlier one. */
  async publish(status: 'available' | 'dnd', note?: string): Promise<void> {
    const body = buildPidf({ entity: `sip:${this.user}@${this.domain}`, instance: 'sim', status, note, at: new Date() });
    const reply = await this.request('PUBLISH', {
      to: this.user,
      callId: this.pubCallId,
      cseq: this.pubCseq++,
      extra: [
        'Event: presence',
        `Expires: ${PRESENCE_EXPIRES_S}`,
        'Content-Type: application/pidf+xml',
        ...(this.etag ? [`SIP-If-Match: ${this.etag}`] : []),
      ],
      body,
    });
    if (sipStatus(reply) !== 200) throw new Error(`${this.user}: PUBLISH answered ${reply.split('\r\n')[0]}`);
    this.etag = header(reply, 'SIP-ETag') || this.etag;
  }

  async subscribe(target: string): Promise<void> {
    const callId = `${rand(8)}@sim`;
    const fromTag = rand(4);
    const reply = await this.request('SUBSCRIBE', {
      to: target,
      callId,
      fromTag,
      extra: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${PRESENCE_EXPIRES_S}`],
    });
    if (sipStatus(reply) >= 300) throw new Error(`${this.user}: SUBSCRIBE ${target} answered ${reply.split('\r\n')[0]}`);
    const toTag = /;tag=([^;>\s]+)/.exec(header(reply, 'To'))?.[1] ?? '';
    this.subscriptions.push({ target, callId, fromTag, toTag, cseq: 1 });
  }

  /**
   * The publication (a refresh without a body, RFC 3903) and every subscription (in its dialog) with
   * `expires`; 0 ends them, as the app does when it quits.
   */
  async refreshPresence(expires: number, timeoutMs = 15_000): Promise<void> {
    const requests: Array<Promise<string>> = [];
    if (this.etag) {
      requests.push(
        this.request(
          'PUBLISH',
          {
            to: this.user,
            callId: this.pubCallId,
            cseq: this.pubCseq++,
            extra: ['Event: presence', `Expires: ${expires}`, `SIP-If-Match: ${this.etag}`],
          },
          timeoutMs,
        ).then((reply) => {
          this.etag = header(reply, 'SIP-ETag') || this.etag;
          return reply;
        }),
      );
    }
    for (const sub of this.subscriptions) {
      requests.push(
        this.request(
          'SUBSCRIBE',
          {
            to: sub.target,
            toTag: sub.toTag,
            callId: sub.callId,
            fromTag: sub.fromTag,
            cseq: ++sub.cseq,
            extra: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expires}`],
          },
          timeoutMs,
        ),
      );
    }
    const failed = (await Promise.allSettled(requests)).filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
  }

  /** What the app does when it quits: its subscriptions and publication ended, its contact removed. */
  async leave(timeoutMs = 10_000): Promise<void> {
    await Promise.allSettled([this.refreshPresence(0, timeoutMs), this.register(0)]);
  }

  /** Calls `target` (who answers at once) and resolves once the 200 is acknowledged. */
  async call(target: string): Promise<SimCall> {
    const callId = `${rand(8)}@sim`;
    const fromTag = rand(4);
    const reply = await this.request('INVITE', {
      to: target,
      callId,
      fromTag,
      extra: ['Content-Type: application/sdp'],
      body: sdp(rand(4)),
    });
    if (sipStatus(reply) !== 200) throw new Error(`${this.user}: INVITE ${target} answered ${reply.split('\r\n')[0]}`);
    const call: SimCall = {
      callId,
      fromTag,
      toTag: /;tag=([^;>\s]+)/.exec(header(reply, 'To'))?.[1] ?? '',
      route: headers(reply, 'Record-Route')
        .flatMap((h) => h.split(',').map((r) => r.trim()))
        .reverse(),
      remoteTarget: /<([^>]+)>/.exec(header(reply, 'Contact'))?.[1] ?? `sip:${target}@${this.domain}`,
      cseq: 1,
    };
    this.send(this.inDialog('ACK', call, target, 1));
    return call;
  }

  async hangup(call: SimCall, target: string): Promise<void> {
    const message = this.inDialog('BYE', call, target, ++call.cseq);
    const reply = await this.transaction(call.callId, call.cseq, 'BYE', message);
    if (sipStatus(reply) !== 200) throw new Error(`${this.user}: BYE answered ${reply.split('\r\n')[0]}`);
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('closed'));
    }
    this.pending.clear();
    this.socket?.terminate();
    this.socket = undefined;
  }

  private send(message: string): void {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new Error(`${this.user}: not connected to the PBX`);
    this.socket.send(message);
  }

  private request(
    method: string,
    o: {
      to: string;
      ruri?: string;
      callId?: string;
      cseq?: number;
      fromTag?: string;
      toTag?: string;
      contactParams?: string;
      extra?: string[];
      body?: string;
    },
    timeoutMs?: number,
  ): Promise<string> {
    const callId = o.callId ?? `${rand(8)}@sim`;
    const cseq = o.cseq ?? 1;
    const body = o.body ?? '';
    const message = [
      `${method} ${o.ruri ?? `sip:${o.to}@${this.domain}`} SIP/2.0`,
      `Via: SIP/2.0/WSS ${this.host};branch=z9hG4bK${rand(6)}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${this.domain}>;tag=${o.fromTag ?? rand(4)}`,
      `To: <sip:${o.to}@${this.domain}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${this.user}@${this.host};transport=ws>${o.contactParams ?? ''}`,
      ...(o.extra ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    return this.transaction(callId, cseq, method, message, timeoutMs);
  }

  private transaction(callId: string, cseq: number, method: string, message: string, timeoutMs = 15_000): Promise<string> {
    const key = `${callId} ${cseq} ${method}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new Error(`${this.user}: no final answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(key, { resolve, reject, timer });
      try {
        this.send(message);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private inDialog(method: string, call: SimCall, target: string, cseq: number): string {
    return [
      `${method} ${call.remoteTarget} SIP/2.0`,
      `Via: SIP/2.0/WSS ${this.host};branch=z9hG4bK${rand(6)}`,
      'Max-Forwards: 70',
      ...call.route.map((r) => `Route: ${r}`),
      `From: <sip:${this.user}@${this.domain}>;tag=${call.fromTag}`,
      `To: <sip:${target}@${this.domain}>;tag=${call.toTag}`,
      `Call-ID: ${call.callId}`,
      `CSeq: ${cseq} ${method}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  private received(text: string): void {
    const at = performance.now();
    const status = sipStatus(text);
    if (status > 0) {
      if (status < 200) return;
      const [seq, method] = header(text, 'CSeq').split(/\s+/);
      const key = `${header(text, 'Call-ID')} ${seq} ${method}`;
      const p = this.pending.get(key);
      if (!p) return;
      this.pending.delete(key);
      clearTimeout(p.timer);
      p.resolve(text);
      return;
    }
    const method = text.slice(0, text.indexOf(' '));
    if (method === 'ACK') return;
    if (method === 'NOTIFY') {
      const from = /sip:([^@>;]+)@/.exec(header(text, 'From'))?.[1] ?? '';
      this.onNotify?.(from, text.slice(text.indexOf('\r\n\r\n') + 4), at);
    }
    if (method === 'INVITE') {
      this.callsAnswered++;
      this.reply(
        text,
        200,
        [`Contact: <sip:${this.user}@${this.host};transport=ws>`, 'Content-Type: application/sdp'],
        sdp(rand(4)),
      );
      return;
    }
    this.reply(text, 200);
  }

  private reply(request: string, status: number, extra: string[] = [], body = ''): void {
    const lines = request.split('\r\n');
    const copy = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const to = copy('To')[0] ?? '';
    try {
      this.send(
        [
          `SIP/2.0 ${status} OK`,
          ...copy('Via'),
          ...copy('Record-Route'),
          ...copy('From'),
          to.includes(';tag=') ? to : `${to};tag=${rand(4)}`,
          ...copy('Call-ID'),
          ...copy('CSeq'),
          ...extra,
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n'),
      );
    } catch {
      // the socket went away meanwhile: the PBX retransmits or gives up, as with a real app
    }
  }
}
