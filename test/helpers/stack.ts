import { startStack, type Stack, type StackOptions } from '../../pbx/stack-runner.js';

/**
 * Starts the same backend `npm run stack` starts (rtpengine, Kamailio, and the central server when
 * asked) for one home directory, on free ports. Call `stack.stop()` in afterAll; it stops every
 * daemon by PID. `stack.info` is what DIR/stack.json holds. `stack.stopServer()` /
 * `stack.restartServer()` take only the central server down and back up on the same port (an outage).
 * `udpPeers: undefined` runs it as `npm run stack` without `--udp-peer` does (no allow-list).
 */
export function startTestStack(home: string, options: Omit<StackOptions, 'home'> = {}): Promise<Stack> {
  return startStack({
    server: false,
    // The tests' outside callers (baresip, probes) run on loopback: allowed explicitly, so the PBX
    // checks its UDP allow-list in every test that does not say otherwise.
    udpPeers: ['127.0.0.1'],
    log: process.env.STACK_VERBOSE ? (line) => console.log(`[stack] ${line}`) : undefined,
    ...options,
    home,
  });
}

export type { Stack, StackInfo, StackOptions } from '../../pbx/stack-runner.js';

/** A minimal SIP request, for tests that speak SIP without a user agent. */
export function sipRequest(options: {
  method: string;
  user: string;
  domain: string;
  /** Defaults to the From user (a REGISTER's AoR). */
  toUser?: string;
  requestUser?: string;
  cseq?: number;
  callId?: string;
  transport?: 'WSS' | 'UDP';
  via?: string;
  extra?: string[];
  body?: string;
}): string {
  const tag = Math.random().toString(36).slice(2, 10);
  const branch = `z9hG4bK${Math.random().toString(36).slice(2, 12)}`;
  const callId = options.callId ?? `${Math.random().toString(36).slice(2)}@test`;
  const toUser = options.toUser ?? options.user;
  const ruri = options.method === 'REGISTER' ? `sip:${options.domain}` : `sip:${options.requestUser ?? toUser}@${options.domain}`;
  const transport = options.transport ?? 'WSS';
  const via = options.via ?? (transport === 'WSS' ? 'abcdef.invalid' : '127.0.0.1:5099');
  const contactHost = transport === 'WSS' ? 'abcdef.invalid;transport=ws' : via;
  const body = options.body ?? '';
  return [
    `${options.method} ${ruri} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${via};branch=${branch}${transport === 'UDP' ? ';rport' : ''}`,
    'Max-Forwards: 70',
    `From: <sip:${options.user}@${options.domain}>;tag=${tag}`,
    `To: <sip:${toUser}@${options.domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${options.cseq ?? 1} ${options.method}`,
    `Contact: <sip:${options.user}@${contactHost}>${options.method === 'REGISTER' ? ';expires=300' : ''}`,
    ...(options.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The status code of a SIP response, or undefined for a request. */
export function sipStatus(message: string): number | undefined {
  const match = /^SIP\/2\.0 (\d{3})/.exec(message);
  return match ? Number(match[1]) : undefined;
}
