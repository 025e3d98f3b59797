import type { ClientTls } from '../../electron/core/pbx/pbx-connection.js';
import { openPbxClient } from './pbx-client.js';
import { sipRequest, sipStatus } from './stack.js';

/**
 * A scripted app on the PBX: the production PbxConnection (WSS with the user's certificate) speaking
 * hand-written SIP. It registers, answers INVITEs with 200 and a plain audio SDP, answers BYEs, and
 * places INVITEs of its own, so metering tests get real dialogs through Kamailio without Chromium.
 */
export interface SipApp {
  user: string;
  messages: string[];
  register(): Promise<string>;
  /** Waits for an INVITE (the next one after `after` messages) and answers it 200; returns its Call-ID. */
  answerNext(after?: number): Promise<string>;
  /** Sends an INVITE to `target` (a number or user) with extra headers; resolves with the final status. */
  invite(target: string, extra?: string[]): Promise<{ status: number; callId: string; reply: string }>;
  /** Sends BYE within a dialog this app placed (route set and tags from the 200). */
  bye(callId: string): Promise<number>;
  close(): void;
}

const header = (message: string, name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(message)?.[1]?.trim() ?? '';
const headers = (message: string, name: string): string[] =>
  [...message.matchAll(new RegExp(`^${name}:\\s*(.*)$`, 'gim'))].map((m) => m[1]!.trim());

function sdp(): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function openSipApp(options: {
  user: string;
  domain: string;
  url: () => string;
  tls: ClientTls;
  logHome: string;
}): SipApp {
  const { connection, messages } = openPbxClient(options.url, options.tls, options.logHome);
  const { user, domain } = options;
  const answered = new Set<string>();
  const placed = new Map<string, { to: string; from: string; routes: string[]; contact: string; cseq: number }>();
  // Replies to in-dialog requests the PBX sends us (BYE): copied Via, From, To, Call-ID, CSeq.
  const reply = (request: string, status: string, extra: string[] = [], body = ''): string =>
    [
      `SIP/2.0 ${status}`,
      ...headers(request, 'Via').map((v) => `Via: ${v}`),
      ...headers(request, 'Record-Route').map((r) => `Record-Route: ${r}`),
      `From: ${header(request, 'From')}`,
      `To: ${header(request, 'To')}${/;tag=/.test(header(request, 'To')) ? '' : `;tag=${user}${Date.now().toString(36)}`}`,
      `Call-ID: ${header(request, 'Call-ID')}`,
      `CSeq: ${header(request, 'CSeq')}`,
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  let seen = 0;
  const pump = setInterval(() => {
    for (; seen < messages.length; seen++) {
      const m = messages[seen]!;
      if (m.startsWith('BYE ')) connection.send(reply(m, '200 OK'));
      // A re-INVITE or OPTIONS within a dialog: accept without changing anything.
      else if (m.startsWith('OPTIONS ')) connection.send(reply(m, '200 OK'));
    }
  }, 10);

  const connected = until('the WSS connection', () => (connection.state.state === 'connected' ? true : undefined));
  async function exchange(request: string, callId: string): Promise<string> {
    await connected;
    const mark = messages.length;
    connection.send(request);
    return until(`a final reply to ${callId}`, () =>
      messages.slice(mark).find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200),
    );
  }

  return {
    user,
    messages,
    async register() {
      const request = sipRequest({ method: 'REGISTER', user, domain });
      return (await exchange(request, header(request, 'Call-ID'))).split('\r\n')[0]!;
    },
    async answerNext(after = 0) {
      const invite = await until(
        'an INVITE',
        () => messages.slice(after).find((m) => m.startsWith('INVITE ') && !answered.has(header(m, 'Call-ID'))),
        15_000,
      );
      const callId = header(invite, 'Call-ID');
      answered.add(callId);
      connection.send(
        reply(invite, '200 OK', [`Contact: <sip:${user}@abcdef.invalid;transport=ws>`, 'Content-Type: application/sdp'], sdp()),
      );
      return callId;
    },
    async invite(target, extra = []) {
      const callId = `${Math.random().toString(36).slice(2)}@${user}.test`;
      const request = sipRequest({
        method: 'INVITE',
        user,
        domain,
        toUser: target,
        callId,
        extra: [...extra, 'Content-Type: application/sdp'],
        body: sdp(),
      });
      const final = await exchange(request, callId);
      const status = sipStatus(final) ?? 0;
      if (status >= 200 && status < 300) {
        const to = header(final, 'To');
        const routes = headers(final, 'Record-Route').reverse();
        const contact = /<([^>]+)>/.exec(header(final, 'Contact'))?.[1] ?? `sip:${target}@${domain}`;
        const from = /^From: (.*)$/im.exec(request)![1]!;
        placed.set(callId, { to, from, routes, contact, cseq: 1 });
        const ack = [
          `ACK ${contact} SIP/2.0`,
          `Via: SIP/2.0/WSS abcdef.invalid;branch=z9hG4bK${Math.random().toString(36).slice(2, 12)}`,
          'Max-Forwards: 70',
          ...routes.map((r) => `Route: ${r}`),
          `From: ${from}`,
          `To: ${to}`,
          `Call-ID: ${callId}`,
          'CSeq: 1 ACK',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        connection.send(ack);
      }
      return { status, callId, reply: final };
    },
    async bye(callId) {
      const dialog = placed.get(callId);
      if (!dialog) throw new Error(`no dialog ${callId}`);
      dialog.cseq++;
      const request = [
        `BYE ${dialog.contact} SIP/2.0`,
        `Via: SIP/2.0/WSS abcdef.invalid;branch=z9hG4bK${Math.random().toString(36).slice(2, 12)}`,
        'Max-Forwards: 70',
        ...dialog.routes.map((r) => `Route: ${r}`),
        `From: ${dialog.from}`,
        `To: ${dialog.to}`,
        `Call-ID: ${callId}`,
        `CSeq: ${dialog.cseq} BYE`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      return sipStatus(await exchange(request, callId)) ?? 0;
    },
    close() {
      clearInterval(pump);
      connection.close();
    },
  };
}
