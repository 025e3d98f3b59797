/**
 * baresip 1.0 as an outside SIP phone on UDP (TEST-STACK pitfall 5), shared by the demo's customer and the
 * tests: its own config dir, PCMU only (so a mono 8 kHz WAV matches the codec), an aufile as the
 * microphone, no audio player, and ctrl_tcp (netstring JSON) for commands and events — stdin is not a
 * terminal where it runs.
 */
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../pbx/daemons.js';

export interface BaresipSetup {
  /** SIP user (the From user when dialling; the registered user when `register`). */
  user: string;
  domain: string;
  /** The PBX's UDP port on `pbxHost`. */
  pbxPort: number;
  /** Where the PBX listens (default 127.0.0.1). */
  pbxHost?: string;
  /** The address baresip's SIP and media use (default 127.0.0.1): one that reaches `pbxHost`. */
  localIp?: string;
  /** The local SIP port (UDP and TCP) on `localIp` and the ctrl_tcp port on 127.0.0.1. */
  sipPort: number;
  ctrlPort: number;
  /** The WAV file played as the microphone. */
  audioSource: string;
  register?: boolean;
  autoAnswer?: boolean;
  /** The display name in From: whatever a caller chooses to claim. */
  displayName?: string;
  /** The IP ToS of the RTP packets; baresip's own default when absent. */
  rtpTos?: number;
}

/**
 * A port for `sip_listen` on loopback: free for UDP and TCP, and the port above it free for TCP too, because
 * baresip also listens for SIP over TLS there and gives up when it cannot. On a machine with thousands of
 * loopback connections open, that port is taken often enough to fail a run.
 */
export async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort('both');
    if (port < 65_535 && (await tcpPortFree(port + 1))) return port;
  }
  throw new Error('no free port pair for baresip');
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Writes `config`, `accounts` and an empty `contacts` into `dir`, baresip's `-f` directory. */
export function writeBaresipConfig(dir: string, setup: BaresipSetup): void {
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${setup.localIp ?? '127.0.0.1'}:${setup.sipPort}`,
      `net_interface ${setup.localIp ?? '127.0.0.1'}`,
      `audio_source aufile,${setup.audioSource}`,
      'audio_player aufile,/dev/null',
      'audio_alert aufile,/dev/null',
      'audio_srate 8000',
      'audio_channels 1',
      ...(setup.rtpTos === undefined ? [] : [`rtp_tos ${setup.rtpTos}`]),
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${setup.ctrlPort}`,
      '',
    ].join('\n'),
  );
  const params = [
    `;regint=${setup.register ? 300 : 0}`,
    `;outbound="sip:${setup.pbxHost ?? '127.0.0.1'}:${setup.pbxPort};transport=udp"`,
    ';audio_codecs=PCMU',
    setup.autoAnswer ? ';answermode=auto' : '',
  ].join('');
  const name = setup.displayName ? `"${setup.displayName.replace(/["\\]/g, '')}" ` : '';
  writeFileSync(join(dir, 'accounts'), `${name}<sip:${setup.user}@${setup.domain};transport=udp>${params}\n`);
  writeFileSync(join(dir, 'contacts'), '');
}

/** Connects to ctrl_tcp, trying for three seconds: baresip opens the port a moment after it says it is ready. */
export function connectControl(port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const attempt = (left: number) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', (error) => (left > 0 ? setTimeout(() => attempt(left - 1), 100) : reject(error)));
    };
    attempt(30);
  });
}

/** ctrl_tcp's messages as they arrive on the socket: netstrings ("LENGTH:JSON,") of one JSON object each. */
export function readControl(socket: Socket, onMessage: (message: Record<string, unknown>) => void): void {
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
      onMessage(JSON.parse(json) as Record<string, unknown>);
    }
  });
}

/** Sends one ctrl_tcp command; its response, if awaited, carries the same token. */
export function sendControl(socket: Socket, command: string, params: string | undefined, token: string): void {
  const json = JSON.stringify({ command, params, token });
  socket.write(`${Buffer.byteLength(json)}:${json},`);
}
