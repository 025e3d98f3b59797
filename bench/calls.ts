/**
 * Calls benchmark: the production phone engine in Chromium pages (browser-shell cores, bridged WSS
 * transport with client certificates) through the real Kamailio + rtpengine, and, call by call in
 * the same run, two references through the same PBX: plain SIP.js pages straight over WSS
 * (bench/_bare-sipjs.ts) and two baresip clients over UDP (bench/_baresip-pair.ts). Then heap growth,
 * re-registration after a PBX restart, and the real app (browser shell process, built renderer) for
 * the ringing call card. `npm run bench -- calls` prints JSON lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { hangupAll, registration, startPhoneRig, until, type PhoneTest } from '../test/helpers/phone-rig.js';
import { startBareSipjs, BARE_USERS } from './_bare-sipjs.js';
import { reserveTrunkPort, startBaresipPair } from './_baresip-pair.js';
import { emit, onAbort, percentile, runSuite, size, step } from './_metrics.js';
import { ringingUi } from './_ringing-ui.js';
import { suiteDeadlineMs } from './_suites.js';

interface PcTimes {
  created: number;
  gathered?: number;
  connected?: number;
}
declare const window: { phoneTest: PhoneTest; __pcs: PcTimes[] };
const SUITE = 'calls';
const CALLS = Number(process.env.CALLS_BENCH_CALLS ?? size(20, 2));
const HEAP_CALLS = Number(process.env.CALLS_BENCH_HEAP_CALLS ?? size(100, 3));
const CONTACTS = Number(process.env.CALLS_BENCH_CONTACTS ?? size(100_000, 1000));
const CALLER = '+4917612345678';
const log = (line: string) => process.stderr.write(`calls bench: ${line}\n`);

/**
 * Stamps each RTCPeerConnection of the page: created, ICE gathering complete, connected (ICE checks
 * and DTLS done). Plain JS text: a function from here would carry the TypeScript loader's helpers.
 */
const PC_TIMES = `
(() => {
  const Native = window.RTCPeerConnection;
  const pcs = (window.__pcs = []);
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const times = { created: performance.now() };
      pcs.push(times);
      this.addEventListener('icegatheringstatechange', () => {
        if (this.iceGatheringState === 'complete') times.gathered ??= performance.now();
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') times.connected ??= performance.now();
      });
    }
  };
})();
`;

/** A generic CSV with `CONTACTS` contacts (one of them the outside caller), imported into the store. */
function contactsCsv(dir: string): string {
  const file = join(dir, 'contacts.csv');
  const rows = ['name,phone', `Kunde Meier,${CALLER}`];
  for (let i = 1; i < CONTACTS; i++) rows.push(`Kontakt ${i},+49 30 ${String(10_000_000 + i)}`);
  writeFileSync(file, rows.join('\n'));
  return file;
}

const marks = (page: Page) => page.evaluate(() => window.phoneTest.marks());
const pcs = (page: Page) => page.evaluate(() => window.__pcs);

/** alice calls bob (auto-answer) once: INVITE sent → alice's line connected, in ms. */
async function oneCall(alice: Page, bob: Page): Promise<{ setup: number; established: number }> {
  // One evaluate that resolves on connect: polling the page during setup would steal its main thread.
  await alice.evaluate(() => window.phoneTest.dialConnected('bob'));
  const after = await marks(alice);
  const established = after.connected.at(-1)!;
  // Media up (ICE checks, DTLS) before the hang-up, so the time after set-up is there to read.
  await alice.waitForFunction(() => window.__pcs.at(-1)?.connected !== undefined, null, { timeout: 5000 }).catch(() => undefined);
  await hangupAll([alice, bob]);
  return { setup: established - after.inviteSent.at(-1)!, established };
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

const median = (samples: number[]) => percentile(samples, 0.5);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-calls-'));
  const trunkPort = await reserveTrunkPort();
  const rig = await step('phone rig start (Kamailio, rtpengine, two apps, registration)', 90_000, () =>
    startPhoneRig([{ id: 'alice' }, { id: 'bob' }], {
      endedLingerMs: 50,
      ownProcesses: true,
      directoryUsers: [...BARE_USERS],
      trunk: `127.0.0.1:${trunkPort}`,
    }),
  );
  const cleanup: Array<() => Promise<void>> = [() => rig.stop()];
  const unregister = onAbort(async () => {
    for (const stop of cleanup) await stop().catch(() => undefined);
  });
  try {
    const alice = rig.pages.alice!;
    const bob = rig.pages.bob!;
    const { sipDomain, ports, ctlSocket } = rig.stack.info;
    for (const page of [alice, bob]) await page.evaluate(PC_TIMES);

    // Call setup through Kamailio, our engine on both ends, interleaved call by call with the same
    // call between two bare SIP.js pages and between two baresip clients, so load drift on this
    // shared machine hits all three alike.
    await bob.evaluate(() => window.phoneTest.setAutoAnswer(true));
    const bare = await step('bare SIP.js pages register', 60_000, () => startBareSipjs(rig.home, ports.wss));
    cleanup.unshift(() => bare.stop());
    const pair = await step('baresip pair start', 30_000, () =>
      startBaresipPair({ domain: sipDomain, pbxUdpPort: ports.udp, trunkPort, ctlSocket }),
    );
    cleanup.unshift(() => pair.stop());
    // Warm-up: first getUserMedia, first DTLS, first dialog on each path.
    await step('warm-up call (app)', 20_000, () => oneCall(alice, bob));
    await step('warm-up call (bare SIP.js)', 20_000, () => bare.call());
    await step('warm-up call (baresip)', 20_000, () => pair.call(10_000));
    const setups: number[] = [];
    const established: number[] = [];
    const bareSetups: number[] = [];
    const nativeSetups: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const app = await step(`call ${i} (app)`, 20_000, () => oneCall(alice, bob));
      setups.push(app.setup);
      established.push(app.established);
      bareSetups.push(await step(`call ${i} (bare SIP.js)`, 20_000, () => bare.call()));
      nativeSetups.push(await step(`call ${i} (baresip)`, 20_000, () => pair.call(10_000)));
    }
    const [alicePcs, bobPcs] = await step('read peer-connection times', 10_000, () => Promise.all([pcs(alice), pcs(bob)]));
    for (const stop of cleanup.splice(0, 2)) await step('stop the references', 30_000, stop);

    const p95 = (s: number[]) => percentile(s, 0.95);
    emit(SUITE, 'call_setup_p95_ms', p95(setups), 'ms');
    emit(SUITE, 'call_setup_median_ms', median(setups), 'ms');
    emit(SUITE, 'call_setup_bare_sipjs_p95_ms', p95(bareSetups), 'ms');
    emit(SUITE, 'call_setup_bare_sipjs_median_ms', median(bareSetups), 'ms');
    emit(SUITE, 'call_setup_vs_bare_sipjs_ratio', p95(setups) / p95(bareSetups), 'ratio');
    // Two p95s of 20 samples on a loaded machine are nearly two maxima: the medians' ratio is the steadier figure.
    emit(SUITE, 'call_setup_vs_bare_sipjs_median_ratio', median(setups) / median(bareSetups), 'ratio');
    emit(SUITE, 'call_setup_baresip_p95_ms', p95(nativeSetups), 'ms');
    emit(SUITE, 'call_setup_baresip_median_ms', median(nativeSetups), 'ms');
    emit(SUITE, 'call_setup_vs_baresip_ratio', p95(setups) / p95(nativeSetups), 'ratio');
    emit(SUITE, 'call_setup_vs_baresip_median_ratio', median(setups) / median(nativeSetups), 'ratio');
    log(
      `call setup median: app ${median(setups).toFixed(0)} ms, bare SIP.js ${median(bareSetups).toFixed(0)} ms, ` +
        `baresip ${median(nativeSetups).toFixed(0)} ms`,
    );

    // WebRTC's share: one peer connection per call and side (warm-up first). Inside the set-up the
    // callee's answer (microphone, SDP, ICE gathering) runs between INVITE in and 200 OK out; ICE
    // checks and DTLS follow the 200 OK and are outside the set-up figure.
    const sampled = (list: PcTimes[]) => (list.length === CALLS + 1 ? list.slice(1) : undefined);
    const [callerPcs, calleePcs] = [sampled(alicePcs), sampled(bobPcs)];
    if (callerPcs && calleePcs) {
      const answer = calleePcs.map((pc) => (pc.gathered ?? Number.NaN) - pc.created).filter(Number.isFinite);
      const media = callerPcs.map((pc, i) => (pc.connected ?? Number.NaN) - established[i]!).filter(Number.isFinite);
      if (answer.length === CALLS) emit(SUITE, 'call_setup_callee_webrtc_median_ms', median(answer), 'ms');
      if (media.length === CALLS) emit(SUITE, 'call_media_after_setup_median_ms', median(media), 'ms');
      log(
        `callee's WebRTC answer median ${median(answer).toFixed(0)} ms; ICE checks + DTLS after set-up median ${median(media).toFixed(0)} ms`,
      );
    } else {
      log(`peer connections ${alicePcs.length}/${bobPcs.length} for ${CALLS + 1} calls: WebRTC share not printed`);
    }

    // Renderer heap after 1 and after HEAP_CALLS calls, after GC, on both pages.
    const grown = await step(`heap over ${HEAP_CALLS} calls`, 20_000 + HEAP_CALLS * 5000, async () => {
      await oneCall(alice, bob);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const base = [await heapMb(alice), await heapMb(bob)];
      for (let i = 1; i < HEAP_CALLS; i++) await oneCall(alice, bob);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return [(await heapMb(alice)) - base[0]!, (await heapMb(bob)) - base[1]!];
    });
    log(`heap growth alice ${grown[0]!.toFixed(2)} MB, bob ${grown[1]!.toFixed(2)} MB`);
    emit(SUITE, 'heap_growth_100_calls_mb', Math.max(...grown), 'MB');

    // Kamailio killed and restarted: both apps registered again, no user action.
    await step('Kamailio killed, registration lost', 20_000, async () => {
      await rig.stack.killKamailio('SIGKILL');
      await until(async () => (await registration(alice)) !== 'registered', 10_000, 'registration lost');
    });
    const restarted = performance.now();
    await step('Kamailio restarted, both apps registered again', 45_000, async () => {
      await rig.stack.restartKamailio();
      await until(
        async () => (await registration(alice)) === 'registered' && (await registration(bob)) === 'registered',
        30_000,
        're-registration',
        50,
      );
    });
    emit(SUITE, 'reregister_after_pbx_restart_s', (performance.now() - restarted) / 1000, 's');
    for (const stop of cleanup.splice(0)) await step('phone rig stop', 30_000, stop);

    // The real app (browser shell process, built renderer), CONTACTS contacts in its store, baresip
    // dialling the firm's number: INVITE in the page → ringing call card painted, caller matched.
    const seeded = performance.now();
    const ring = await step('ringing call card in the real app', 60_000 + CONTACTS + CALLS * 15_000, () =>
      ringingUi(contactsCsv(dir), CALLER, 'Kunde Meier', CALLS),
    );
    log(
      `ringing card: in the DOM median ${median(ring.inDom).toFixed(0)} ms, p95 ${percentile(ring.inDom, 0.95).toFixed(0)} ms; ` +
        `painted median ${median(ring.painted).toFixed(0)} ms (phase incl. ${CONTACTS} contacts import ${((performance.now() - seeded) / 1000).toFixed(0)} s)`,
    );
    emit(SUITE, 'incoming_to_ringing_ui_p95_ms', percentile(ring.painted, 0.95), 'ms');
  } finally {
    unregister();
    for (const stop of cleanup) await step('clean-up', 30_000, stop).catch((error: unknown) => log(`clean-up: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
    log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), main);
