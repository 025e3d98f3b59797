import { createSocket, type Socket } from 'node:dgram';
import { sipRequest } from './stack.js';

/**
 * A UDP SIP "peer" that sends hand-made (often broken) messages to the PBX and collects whatever
 * comes back, for robustness tests. Bound to 127.0.0.1 on a free port; close() when done.
 */
export interface SipProbe {
  /** The address and port it sends from (the Via of its requests). */
  address: string;
  port: number;
  /** Sends one datagram and returns the status codes of the responses seen within `waitMs`. */
  send(message: string | Buffer, waitMs?: number): Promise<number[]>;
  /** The full responses to the last send. */
  responses(): string[];
  close(): Promise<void>;
}

/** `address`: another loopback address (127.0.0.2) stands for a host that is not an allowed peer. */
export async function openSipProbe(pbxPort: number, address = '127.0.0.1'): Promise<SipProbe> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const port = socket.address().port;
  let received: string[] = [];
  socket.on('message', (message) => {
    const text = message.toString('latin1');
    received.push(text);
    // Answer requests the PBX forwards back (e.g. a CANCEL/ACK path) minimally so nothing retransmits forever.
    const status = /^SIP\/2\.0 (\d{3})/.exec(text);
    if (status && Number(status[1]) >= 200 && /^CSeq: \d+ INVITE/im.test(text)) socket.send(ackFor(text), pbxPort, '127.0.0.1');
  });
  return {
    address,
    port,
    responses: () => [...received],
    async send(message, waitMs = 600) {
      received = [];
      socket.send(typeof message === 'string' ? Buffer.from(message, 'latin1') : message, pbxPort, '127.0.0.1');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      return received.map((r) => Number(/^SIP\/2\.0 (\d{3})/.exec(r)?.[1] ?? 0)).filter((code) => code > 0);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** ACK for a final response to our INVITE (same Call-ID, From, To with tag, CSeq number, Via). */
function ackFor(response: string): string {
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(response)?.[1]?.trim() ?? '';
  const cseq = header('CSeq').split(/\s+/)[0];
  const to = header('To');
  const uri = /<([^>]+)>/.exec(to)?.[1] ?? 'sip:invalid';
  return [
    `ACK ${uri} SIP/2.0`,
    `Via: ${header('Via')}`,
    'Max-Forwards: 70',
    `From: ${header('From')}`,
    `To: ${to}`,
    `Call-ID: ${header('Call-ID')}`,
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The malformed messages the robustness test sends to `user` through the PBX, by name. */
export function malformedSuite(
  user: string,
  domain: string,
  probePort: number,
): Array<{ name: string; message: string | Buffer }> {
  const via = `127.0.0.1:${probePort}`;
  const base = { user: 'prober', domain, toUser: user, transport: 'UDP' as const, via };
  const sdp = (lines: string[]) => lines.join('\r\n') + '\r\n';
  return [
    {
      name: 'broken headers (unparsable Contact, From without tag brackets, junk header)',
      message: sipRequest({
        ...base,
        method: 'MESSAGE',
        extra: ['X-Junk: \u0001\u0002\u0003 <<<>>> ;;;', 'Contact: <sip:@@@:notaport;;=>', 'Content-Type: text/plain'],
        body: 'hallo',
      }),
    },
    {
      name: 'INVITE with broken SDP',
      message: sipRequest({
        ...base,
        method: 'INVITE',
        extra: ['Content-Type: application/sdp'],
        body: sdp([
          'v=0',
          'o=- x y IN IP4',
          's',
          'c=IN IP4 999.1.1.1',
          'm=audio notaport RTP/AVP zz',
          'a=rtpmap:',
          'a=fingerprint:sha-256 XYZ',
        ]),
      }),
    },
    {
      name: 'INVITE with a non-SDP body claiming to be SDP',
      message: sipRequest({ ...base, method: 'INVITE', extra: ['Content-Type: application/sdp'], body: '{"not":"sdp"}' }),
    },
    { name: 'unknown method', message: sipRequest({ ...base, method: 'FROBNICATE', body: 'x' }) },
    {
      name: 'INFO outside any dialog with an odd body',
      message: sipRequest({
        ...base,
        method: 'INFO',
        extra: ['Content-Type: application/dtmf-relay'],
        body: 'Signal=\r\nDuration=-5',
      }),
    },
    {
      name: 'NOTIFY without Event',
      message: sipRequest({ ...base, method: 'NOTIFY', extra: ['Subscription-State: active'], body: '' }),
    },
    {
      name: '60 KiB header',
      message: sipRequest({
        ...base,
        method: 'MESSAGE',
        extra: [`X-Huge: ${'A'.repeat(60 * 1024)}`, 'Content-Type: text/plain'],
        body: 'big',
      }),
    },
    {
      name: 'wrong Content-Length',
      message: sipRequest({ ...base, method: 'MESSAGE', extra: ['Content-Type: text/plain'], body: 'short' }).replace(
        'Content-Length: 5',
        'Content-Length: 500',
      ),
    },
    { name: 'garbage bytes', message: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)) },
    { name: 'garbage text', message: 'SIP/2.0 INVITE INVITE\r\n\r\n\r\n:::\r\n' },
  ];
}
