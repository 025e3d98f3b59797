/**
 * Calls benchmark (issue 6): the production phone engine in Chromium pages (browser-shell cores,
 * bridged WSS transport with client certificates) through the real Kamailio + rtpengine, and two
 * baresip clients over UDP as the native reference. `npx tsx bench/calls.ts` prints JSON lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startBaresip } from '../test/helpers/baresip.js';
import { TENANT, hangupAll, livelines, registration, startPhoneRig, until, type PhoneTest } from '../test/helpers/phone-rig.js';
import { emit, percentile } from './_metrics.js';
import { bareSipjsSetups } from './calls-bare-sipjs.js';

declare const window: { phoneTest: PhoneTest };
const SUITE = 'calls';
const CALLS = Number(process.env.CALLS_BENCH_CALLS ?? 20);
const HEAP_CALLS = Number(process.env.CALLS_BENCH_HEAP_CALLS ?? 100);
const CONTACTS = Number(process.env.CALLS_BENCH_CONTACTS ?? 100_000);
const CALLER = '+4917612345678';
const log = (line: string) => process.stderr.write(`calls bench: ${line}\n`);

/** A generic CSV with `CONTACTS` contacts (one of them the outside caller), imported into the store. */
function contactsCsv(dir: string): string {
  const file = join(dir, 'contacts.csv');
  const rows = ['name,phone', `Kunde Meier,${CALLER}`];
  for (let i = 1; i < CONTACTS; i++) rows.push(`Kontakt ${i},+49 30 ${String(10_000_000 + i)}`);
  writeFileSync(file, rows.join('\n'));
  return file;
}

const marks = (page: Page) => page.evaluate(() => window.phoneTest.marks());

/** alice calls bob (auto-answer) once: INVITE sent → alice's line connected, in ms. */
async function oneCall(alice: Page, bob: Page): Promise<number> {
  const before = await marks(alice);
  await alice.evaluate(() => window.phoneTest.dial('bob'));
  await until(async () => (await marks(alice)).connected.length > before.connected.length, 10_000, 'connected', 10);
  const after = await marks(alice);
  const setup = after.connected.at(-1)! - after.inviteSent.at(-1)!;
  await hangupAll([alice, bob]);
  return setup;
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-bench-calls-'));
  const csv = contactsCsv(dir);
  const seeded = performance.now();
  const rig = await startPhoneRig(
    [
      { id: 'alice' },
      {
        id: 'bob',
        tenants: [TENANT],
        seed: async (store) => {
          const report = await store.import({ tenant: TENANT, format: 'csv', csvProfile: 'generic', path: csv });
          log(`${report.imported} contacts in bob's store (${((performance.now() - seeded) / 1000).toFixed(1)} s)`);
        },
      },
    ],
    { endedLingerMs: 50 },
  );
  const cleanup: Array<() => Promise<void>> = [() => rig.stop()];
  try {
    const alice = rig.pages.alice!;
    const bob = rig.pages.bob!;
    const { sipDomain, ports } = rig.stack.info;

    // Call setup through Kamailio, our engine on both ends.
    await bob.evaluate(() => window.phoneTest.setAutoAnswer(true));
    await oneCall(alice, bob); // warm-up: first getUserMedia, first DTLS
    const setups: number[] = [];
    for (let i = 0; i < CALLS; i++) setups.push(await oneCall(alice, bob));
    emit(SUITE, 'call_setup_p95_ms', percentile(setups, 0.95), 'ms');
    log(`call setup median ${percentile(setups, 0.5).toFixed(0)} ms`);
    // The same call between two bare SIP.js SimpleUser pages in the same run.
    // Not working yet (the piped WebSocket closes with 1006): reported, not fatal for the suite.
    try {
      const bare = await bareSipjsSetups(rig.browser, rig.home, ports.wss, CALLS);
      log(`bare SIP.js call setup median ${percentile(bare, 0.5).toFixed(0)} ms, p95 ${percentile(bare, 0.95).toFixed(0)} ms`);
      emit(SUITE, 'call_setup_vs_bare_sipjs_ratio', percentile(setups, 0.95) / percentile(bare, 0.95), 'ratio');
    } catch (error) {
      log(
        `call_setup_vs_bare_sipjs_ratio not measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }

    // INVITE at bob's transport → ringing line (next frame), 100k contacts, caller matched.
    await bob.evaluate(() => window.phoneTest.setAutoAnswer(false));
    const outside = await startBaresip({ user: CALLER, domain: sipDomain, pbxPort: ports.udp });
    cleanup.unshift(() => outside.stop());
    const ringing: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const before = await marks(bob);
      await outside.command('dial', `sip:bob@${sipDomain}`);
      await until(async () => (await marks(bob)).ringing.length > before.ringing.length, 10_000, 'ringing', 10);
      const after = await marks(bob);
      ringing.push(after.ringing.at(-1)! - after.inviteIn.at(-1)!);
      const line = (await livelines(bob))[0];
      if (line?.lookup?.contact?.name !== 'Kunde Meier') throw new Error('caller not matched among the contacts');
      await outside.command('hangup');
      await until(async () => (await livelines(bob)).length === 0, 10_000, 'cancelled');
    }
    emit(SUITE, 'incoming_to_ringing_ui_p95_ms', percentile(ringing, 0.95), 'ms');

    // Native reference: two baresip clients over UDP through the same Kamailio.
    const callee = await startBaresip({ user: 'b2', domain: sipDomain, pbxPort: ports.udp, register: true, autoAnswer: true });
    cleanup.unshift(() => callee.stop());
    await callee.waitForEvent('REGISTER_OK', 5000).catch(() => undefined);
    const native: number[] = [];
    for (let i = 0; i < CALLS + 1; i++) {
      const mark = outside.events.length;
      const start = performance.now();
      await outside.command('dial', `sip:b2@${sipDomain}`);
      await outside.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
      if (i > 0) native.push(performance.now() - start);
      await outside.command('hangup');
      await outside.waitForEvent('CALL_CLOSED', 10_000, mark);
    }
    emit(SUITE, 'call_setup_baresip_p95_ms', percentile(native, 0.95), 'ms');

    // Renderer heap after 1 and after HEAP_CALLS calls, after GC, on both pages.
    await bob.evaluate(() => window.phoneTest.setAutoAnswer(true));
    await oneCall(alice, bob);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const base = [await heapMb(alice), await heapMb(bob)];
    for (let i = 1; i < HEAP_CALLS; i++) await oneCall(alice, bob);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const grown = [(await heapMb(alice)) - base[0]!, (await heapMb(bob)) - base[1]!];
    log(`heap growth alice ${grown[0]!.toFixed(2)} MB, bob ${grown[1]!.toFixed(2)} MB`);
    emit(SUITE, 'heap_growth_100_calls_mb', Math.max(...grown), 'MB');

    // Kamailio killed and restarted: both apps registered again, no user action.
    await rig.stack.killKamailio('SIGKILL');
    await until(async () => (await registration(alice)) !== 'registered', 10_000, 'registration lost');
    const restarted = performance.now();
    await rig.stack.restartKamailio();
    await until(
      async () => (await registration(alice)) === 'registered' && (await registration(bob)) === 'registered',
      30_000,
      're-registration',
      50,
    );
    emit(SUITE, 'reregister_after_pbx_restart_s', (performance.now() - restarted) / 1000, 's');
  } finally {
    for (const stop of cleanup) await stop().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
