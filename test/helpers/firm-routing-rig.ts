import { request as httpsRequest } from 'node:https';
import { SYNC_WIRE_HEADER, SYNC_WIRE_VERSION, formatVersion } from '../../protocol/index.js';
import { encodeSchedulePart, type FirmSchedulePart } from '../../protocol/firm-schedule.js';
import { firmScheduleRecordId } from '../../server/sync/firm-schedule-id.js';
import type { PkiUser } from './pki.js';
import { openPbxClient } from './pbx-client.js';
import { sipRequest, sipStatus } from './stack.js';
import { flatPulled, pushBody, type FlatPulled } from './sync-wire.js';

/**
 * For the firm-routing tests: an app as raw SIP over its certified WSS connection (register, see the
 * INVITEs the PBX forks to it, answer them), and a craftsman's schedule push to the central server.
 */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function header(message: string, name: string): string | undefined {
  const line = message.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export interface RawApp {
  messages: string[];
  /** The INVITE for the call from `caller` that arrived after message index `after`. */
  inviteFrom(caller: string, after: number, timeoutMs?: number): Promise<string>;
  answer(request: string, status: string): void;
  close(): void;
}

export async function openRawApp(url: () => string, user: PkiUser, caPem: string, logHome: string): Promise<RawApp> {
  const client = openPbxClient(url, { pfx: user.pfx, passphrase: user.passphrase, ca: caPem }, logHome);
  await until('connected', () => client.states.some((s) => s.state === 'connected'));
  const tag = `${user.id}${Math.random().toString(36).slice(2, 8)}`;
  const answer = (request: string, status: string) => {
    const lines = request.split('\r\n').filter((line) => /^(Via|Record-Route|From|Call-ID|CSeq):/i.test(line));
    const to = header(request, 'To')!;
    client.connection.send(
      [
        `SIP/2.0 ${status}`,
        ...lines,
        `To: ${to.includes(';tag=') ? to : `${to};tag=${tag}`}`,
        `Contact: <sip:${user.id}@abcdef.invalid;transport=ws>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  };
  // Answer CANCELs (and the like) so nothing retransmits; REGISTER until 200.
  const register = sipRequest({ method: 'REGISTER', user: user.id, domain: 'localhost' });
  const callId = /Call-ID: (\S+)/.exec(register)![1]!;
  client.connection.send(register);
  const reply = await until('REGISTER answered', () =>
    client.messages.find((m) => m.includes(callId) && (sipStatus(m) ?? 0) >= 200),
  );
  if (sipStatus(reply) !== 200) throw new Error(`REGISTER for ${user.id}: ${sipStatus(reply)}`);
  client.connection.onMessage((m) => {
    if (m.startsWith('CANCEL ') || m.startsWith('BYE ')) answer(m, '200 OK');
  });
  return {
    messages: client.messages,
    inviteFrom: (caller, after, timeoutMs = 10_000) =>
      until(
        `an INVITE from ${caller} at ${user.id}`,
        () => client.messages.slice(after).find((m) => m.startsWith('INVITE ') && (header(m, 'From') ?? '').includes(caller)),
        timeoutMs,
      ),
    answer,
    close: () => client.connection.close(),
  };
}

/** Everything `user` may pull from the server (one page of up to 5000 changes). */
export function pullAll(serverUrl: string, user: PkiUser, caPem: string): Promise<FlatPulled[]> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL('/sync/pull?after=0&limit=5000', serverUrl),
      {
        method: 'GET',
        pfx: user.pfx,
        passphrase: user.passphrase,
        ca: caPem,
        agent: false,
        headers: { [SYNC_WIRE_HEADER]: String(SYNC_WIRE_VERSION) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(flatPulled(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A push of schedule parts as `user` (the craftsman's app does the same); resolves to the HTTP status. */
export function pushSchedule(
  serverUrl: string,
  user: PkiUser,
  caPem: string,
  tenant: string,
  parts: Partial<Record<FirmSchedulePart, unknown>>,
): Promise<number> {
  const id = firmScheduleRecordId(tenant);
  let logical = 0;
  const version = () => formatVersion(Date.now(), logical++, '00000000000000c1');
  const changes = Object.entries(parts).map(([field, value]) => ({
    table: 'firm_schedule',
    id,
    tenant,
    field,
    value: value === null ? null : encodeSchedulePart(field as FirmSchedulePart, value as never),
    version: version(),
  }));
  const body = JSON.stringify(pushBody(changes));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL('/sync/push', serverUrl),
      {
        method: 'POST',
        pfx: user.pfx,
        passphrase: user.passphrase,
        ca: caPem,
        agent: false,
        headers: { 'content-type': 'application/json', [SYNC_WIRE_HEADER]: String(SYNC_WIRE_VERSION) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
