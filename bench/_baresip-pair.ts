/**
 * The native reference of `call_setup_vs_baresip_ratio`: two baresip clients on UDP through the
 * same Kamailio and rtpengine as the apps, plain RTP, no ICE, no DTLS.
 *
 * The PBX lets nobody register over UDP and lets a UDP client call only users of the directory, a
 * firm's number, or — once — a number an app has just transferred it to (route[OUTBOUND], the `xfer`
 * table). The pair uses that last path: the callee is the PBX's trunk (a baresip answering every
 * call), and before each call the bench grants the caller's address that one call with
 * `kamcmd htable.sets xfer`, the entry an app's REFER would make. The INVITE then takes the same
 * route as a transferred call: OUTBOUND → trunk, dialog, rtpengine.
 */
import { kamcmd } from '../pbx/daemons.js';
import { freePort, startBaresip, type Baresip } from '../test/helpers/baresip.js';

/** Not a number of this PBX, and dialable. */
export const TRUNK_NUMBER = '+4940555000';

export interface BaresipPair {
  /** One call caller → trunk (auto-answer): `dial` → CALL_ESTABLISHED, ms; hung up afterwards. */
  call(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** The trunk's port, known before the PBX starts (it is part of Kamailio's configuration). */
export const reserveTrunkPort = freePort;

export async function startBaresipPair(options: {
  domain: string;
  pbxUdpPort: number;
  trunkPort: number;
  ctlSocket: string;
}): Promise<BaresipPair> {
  const started: Baresip[] = [];
  const stop = async () => {
    for (const b of started.splice(0)) await b.stop().catch(() => undefined);
  };
  try {
    const callee = await startBaresip({
      user: TRUNK_NUMBER,
      domain: options.domain,
      pbxPort: options.pbxUdpPort,
      sipPort: options.trunkPort,
      autoAnswer: true,
    });
    started.push(callee);
    const callerPort = await freePort();
    const caller = await startBaresip({
      user: '+4930999000',
      domain: options.domain,
      pbxPort: options.pbxUdpPort,
      sipPort: callerPort,
    });
    started.push(caller);
    return {
      async call(timeoutMs) {
        await kamcmd(options.ctlSocket, ['htable.sets', 'xfer', `127.0.0.1:${callerPort}:${TRUNK_NUMBER}`, 'bench']);
        const mark = caller.events.length;
        const start = performance.now();
        await caller.command('dial', `sip:${TRUNK_NUMBER}@${options.domain}`);
        await caller.waitForEvent('CALL_ESTABLISHED', timeoutMs, mark);
        const ms = performance.now() - start;
        await caller.command('hangup');
        await caller.waitForEvent('CALL_CLOSED', timeoutMs, mark);
        return ms;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
