/**
 * The baseline of `presence_vs_raw_notify_ratio`: two raw SIP clients — a WebSocket of the `ws`
 * package with the user's client certificate, hand-written requests, no SIP stack, no app — on the
 * same Kamailio as the apps. The watcher subscribes to the publisher's presence; each sample is
 * PUBLISH sent → the watcher's NOTIFY carrying the new status arrived. Both are directory users
 * sharing a tenant, as the PBX demands of any watcher.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { buildPidf } from '../renderer/src/lib/presence/pidf.js';
import type { ClientCert } from '../test/helpers/pbx-certs.js';

const DOMAIN = 'localhost';

interface RawClient {
  user: string;
  messages: Array<{ at: number; text: string }>;
  send(message: string): void;
  next(
    match: (message: string) => boolean,
    timeoutMs: number,
    what: string,
    after?: number,
  ): Promise<{ at: number; text: string }>;
  close(): void;
}

const header = (message: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(message)?.[1]?.trim() ?? '';

async function openRaw(url: string, cert: ClientCert, ca: string): Promise<RawClient> {
  const socket = new WebSocket(url, 'sip', { pfx: cert.pfx, passphrase: cert.passphrase, ca });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const messages: RawClient['messages'] = [];
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    messages.push({ at: performance.now(), text });
    // Every NOTIFY is answered at once, as any subscriber must (else the PBX ends the subscription).
    if (text.startsWith('NOTIFY ')) {
      const reply = ['Via', 'From', 'To', 'Call-ID', 'CSeq']
        .flatMap((name) => text.split('\r\n').filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)))
        .join('\r\n');
      socket.send(`SIP/2.0 200 OK\r\n${reply}\r\nContent-Length: 0\r\n\r\n`);
    }
  });
  return {
    user: cert.user,
    messages,
    send: (message) => socket.send(message),
    async next(match, timeoutMs, what, after = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.slice(after).find((m) => match(m.text));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`raw ${cert.user}: no ${what} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
    close: () => socket.close(),
  };
}

function request(
  method: string,
  from: string,
  to: string,
  cseq: number,
  callId: string,
  tag: string,
  extra: string[],
  body = '',
) {
  return [
    `${method} sip:${to}@${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${callId.slice(0, 8)}.invalid;branch=z9hG4bK${randomUUID().slice(0, 12)}`,
    'Max-Forwards: 70',
    `From: <sip:${from}@${DOMAIN}>;tag=${tag}`,
    `To: <sip:${to}@${DOMAIN}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:${from}@${callId.slice(0, 8)}.invalid;transport=ws>`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

const status = (message: string) => Number(/^SIP\/2\.0 (\d{3})/.exec(message)?.[1] ?? 0);

export interface RawPresence {
  /** One status change: PUBLISH sent → the watcher's NOTIFY with that status, ms. */
  change(next: 'dnd' | 'available'): Promise<number>;
  close(): void;
}

export async function startRawPresence(
  wssUrl: string,
  publisher: ClientCert,
  watcher: ClientCert,
  ca: string,
): Promise<RawPresence> {
  const pub = await openRaw(wssUrl, publisher, ca);
  const sub = await openRaw(wssUrl, watcher, ca);
  let cseq = 1;
  let etag: string | undefined;
  const pubCall = randomUUID();
  const pubTag = randomUUID().slice(0, 8);
  const publish = async (state: 'dnd' | 'available'): Promise<number> => {
    const body = buildPidf({ entity: `sip:${pub.user}@${DOMAIN}`, instance: 'raw', status: state, at: new Date() });
    const mark = pub.messages.length;
    const extra = [
      'Event: presence',
      'Expires: 180',
      'Content-Type: application/pidf+xml',
      ...(etag ? [`SIP-If-Match: ${etag}`] : []),
    ];
    const sentAt = performance.now();
    pub.send(request('PUBLISH', pub.user, pub.user, cseq++, pubCall, pubTag, extra, body));
    const reply = await pub.next((m) => /^CSeq: \d+ PUBLISH/im.test(m) && status(m) >= 200, 5000, 'PUBLISH reply', mark);
    if (status(reply.text) !== 200) throw new Error(`raw PUBLISH refused: ${reply.text.split('\r\n')[0]}`);
    etag = header(reply.text, 'SIP-ETag') || etag;
    return sentAt;
  };
  try {
    await publish('available');
    const subCall = randomUUID();
    const subscribe = request('SUBSCRIBE', sub.user, pub.user, 1, subCall, randomUUID().slice(0, 8), [
      'Event: presence',
      'Accept: application/pidf+xml',
      'Expires: 300',
    ]);
    sub.send(subscribe);
    const reply = await sub.next(
      (m) => m.includes(subCall) && /^CSeq: 1 SUBSCRIBE/im.test(m) && status(m) >= 200,
      5000,
      'SUBSCRIBE reply',
    );
    if (status(reply.text) >= 300) throw new Error(`raw SUBSCRIBE refused: ${reply.text.split('\r\n')[0]}`);
    await sub.next((m) => m.startsWith('NOTIFY ') && m.includes('<basic>open</basic>'), 5000, 'first NOTIFY');
  } catch (error) {
    pub.close();
    sub.close();
    throw error;
  }
  const note = { dnd: 'Do not disturb', available: 'Available' };
  return {
    async change(next) {
      const mark = sub.messages.length;
      const sentAt = await publish(next);
      const notify = await sub.next(
        (m) => m.startsWith('NOTIFY ') && m.includes(`<note>${note[next]}</note>`),
        5000,
        `NOTIFY (${next})`,
        mark,
      );
      return notify.at - sentAt;
    },
    close() {
      pub.close();
      sub.close();
    },
  };
}
