/**
 * Suite "routing": the firm's day in the PBX.
 * - `override_to_routing_p95_ms`: a craftsman's override pushed to the central server (HTTPS, as his
 *   app does) until Kamailio's htable `firmday` routes by it — server commit, HOME/firm-schedules.json,
 *   the stack's watcher, the timeline rendered, `htable.reload firmday`. Polled over kamcmd every 10 ms,
 *   so a sample may overstate by that much.
 * - `routing_added_setup_ms`: INVITE (raw UDP, no SDP, so no media work) → the INVITE at the
 *   teleworker's app over WSS, for a firm routed by its timeline minus the same for a firm without
 *   one (the legacy ring order), medians of alternating rounds on the same Kamailio.
 */
import { createSocket } from 'node:dgram';
import { kamcmd } from '../pbx/daemons.js';
import { WEEKDAYS, type WeeklyHours } from '../protocol/firm-day.js';
import { openRawApp, pushSchedule } from '../test/helpers/firm-routing-rig.js';
import { createPkiHome } from '../test/helpers/pki.js';
import { sipRequest } from '../test/helpers/stack.js';
import { startStack } from '../pbx/stack-runner.js';
import { emit, onAbort, percentile, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'routing';
const OVERRIDES = size(20, 3);
const CALL_ROUNDS = size(60, 4);
const ALWAYS = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as WeeklyHours;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const pki = await step('home', 60_000, () => createPkiHome());
  const stack = await step('stack start', 90_000, () =>
    startStack({ home: pki.home, server: true, udpPeers: ['127.0.0.1'], officeHours: ALWAYS }),
  );
  const unregister = onAbort(() => stack.stop());
  try {
    const ctl = stack.info.ctlSocket;
    const modeNow = async () => (await kamcmd(ctl, ['htable.get', 'firmday', 'tl:tischlerei:0:mode']).catch(() => '')).trim();
    const push = (parts: Parameters<typeof pushSchedule>[4]) =>
      pushSchedule(stack.info.server!, pki.users.max!, pki.caPem, 'tischlerei', parts);
    await step('base schedule', 15_000, async () => {
      if ((await push({ bundesland: 'NW', consultation: ALWAYS, override: null })) !== 200) throw new Error('push refused');
      while (!(await modeNow()).includes('consultation')) await sleep(20);
    });

    const samples: number[] = [];
    for (let i = 0; i < OVERRIDES; i++) {
      const mode = i % 2 === 0 ? 'service' : 'closed';
      await step(`override ${i}`, 10_000, async () => {
        const started = performance.now();
        const status = await push({ override: { mode, until: new Date(Date.now() + 3_600_000).toISOString() } });
        if (status !== 200) throw new Error(`push answered ${status}`);
        while (!(await modeNow()).includes(mode)) await sleep(10);
        samples.push(performance.now() - started);
      });
      // Let the background announcements settle, as between a craftsman's real changes.
      await sleep(300);
    }
    emit(SUITE, 'override_to_routing_p95_ms', percentile(samples, 0.95), 'ms');

    // Service mode: both firms' calls go to anna first, one by its timeline, one by the legacy order.
    await step('service for the timed firm', 10_000, async () => {
      await push({ override: { mode: 'service', until: null } });
      while (!(await modeNow()).includes('service')) await sleep(20);
    });
    const anna = await step('anna registers', 15_000, () =>
      openRawApp(() => stack.info.pbxWss, pki.users.anna!, pki.caPem, pki.home),
    );
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    socket.on('message', () => undefined);
    const via = `127.0.0.1:${socket.address().port}`;
    const withTimeline: number[] = [];
    const without: number[] = [];
    try {
      for (let i = 0; i < CALL_ROUNDS * 2; i++) {
        const timed = i % 2 === 0;
        const number = timed ? '+492211234567' : '+49301234567';
        await step(`call ${i}`, 10_000, async () => {
          const request = sipRequest({
            method: 'INVITE',
            user: 'bench-caller',
            toUser: number,
            domain: `127.0.0.1:${stack.info.ports.udp}`,
            transport: 'UDP',
            via,
          });
          const callId = /Call-ID: (\S+)/.exec(request)![1]!;
          const seen = anna.messages.length;
          const started = performance.now();
          socket.send(request, stack.info.ports.udp, '127.0.0.1');
          let invite: string | undefined;
          while (!(invite = anna.messages.slice(seen).find((m) => m.startsWith('INVITE ') && m.includes(callId)))) await sleep(0);
          (timed ? withTimeline : without).push(performance.now() - started);
          anna.answer(invite, '486 Busy Here');
        });
        await sleep(20);
      }
    } finally {
      socket.close();
      anna.close();
    }
    emit(SUITE, 'routing_with_timeline_p50_ms', percentile(withTimeline, 0.5), 'ms');
    emit(SUITE, 'routing_without_timeline_p50_ms', percentile(without, 0.5), 'ms');
    emit(SUITE, 'routing_added_setup_ms', percentile(withTimeline, 0.5) - percentile(without, 0.5), 'ms');
  } finally {
    unregister();
    await stack.stop();
    pki.cleanup();
  }
});
