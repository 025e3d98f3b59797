import { randomUUID } from 'node:crypto';
import type { FieldValue } from '../../protocol/index.js';
import { collectGarbage, descendantsOf, processTable, resources, waitGone } from './census.js';
import { startChaosRig, type ChaosRig, type ChaosRigOptions } from './chaos-rig.js';
import { TENANT_NUMBER, hangupAll, lineIn, registration, type PhoneTest } from './phone-rig.js';

declare const window: { phoneTest: PhoneTest };

export type Fault = 'link' | 'proxy' | 'server' | 'postgres' | 'disk' | 'pbx_link' | 'kamailio' | 'rtpengine';
export const SYNC_FAULTS: Fault[] = ['link', 'proxy', 'server', 'postgres', 'disk'];
export const PBX_FAULTS: Fault[] = ['pbx_link', 'kamailio', 'rtpengine'];

export interface OfficeDayOptions extends Omit<ChaosRigOptions, 'calls'> {
  /** The faults in the order they are injected; each gets a round of office work around it. */
  faults: Fault[];
  /** Records every client edits (the same ones: concurrent edits of one field are the point). */
  records: number;
  /** Edits per client per round. */
  editsPerRound: number;
  log?: (line: string) => void;
}

export interface OfficeDayReport {
  /** Invariants broken, one sentence each; empty = all held. */
  violations: string[];
  metrics: Record<string, number>;
}

const TENANT = 'tischlerei';
const FIELDS = ['subject', 'body'] as const;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(100);
  }
  return Date.now() - started;
}

/**
 * A compressed office day with faults: every round each client edits the shared records (notes,
 * as after calls), an outside caller rings the firm and the app answers and takes a note, then one
 * fault is injected while the edits go on and is healed. Afterwards the invariants of
 * docs/reliability.md are checked and the figures measured.
 */
export async function runOfficeDay(options: OfficeDayOptions): Promise<OfficeDayReport> {
  const log = options.log ?? (() => undefined);
  const calls = options.faults.some((f) => PBX_FAULTS.includes(f));
  const before = new Set(processTable().map((p) => p.pid));
  const violations: string[] = [];
  const metrics: Record<string, number> = {};
  const startedAt = Date.now();
  const rig = await startChaosRig({ ...options, calls });
  metrics.setup_ms = Date.now() - startedAt;
  const postmasters = new Set<number>([rig.postgres.pid()]);
  let callsPlaced = 0;
  let longLived: Array<{ name: string; kind: string; pid: number; memory: () => number; start: { mb: number; fds: number } }> =
    [];
  try {
    const records = Array.from({ length: options.records }, () => randomUUID());
    let edit = 0;
    const editRound = async (spreadMs: number) => {
      for (let i = 0; i < options.editsPerRound; i++) {
        for (const c of rig.clients) {
          const id = records[Math.floor(Math.random() * records.length)]!;
          const field = FIELDS[Math.floor(Math.random() * FIELDS.length)]!;
          c.store.write('note', id, TENANT, field, `${c.user} ${field} ${edit++}`);
          c.engine.notifyLocalChange();
        }
        await pause(spreadMs / options.editsPerRound);
      }
    };
    const call = async () => {
      if (!rig.phone) return;
      const { page, caller } = rig.phone;
      const mark = caller.events.length;
      await caller.command('dial', `sip:${TENANT_NUMBER}@${rig.phone.rig.stack.info.sipDomain}`);
      const ringing = await lineIn(page, 'ringing', 10_000);
      await page.evaluate((id) => window.phoneTest.answer(id), ringing.id);
      await lineIn(page, 'connected', 10_000);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
      callsPlaced++;
      // The note of the call, taken while it runs, by the answering app's sync client.
      const anna = rig.clients[0]!;
      const note = randomUUID();
      anna.store.write('note', note, TENANT, 'subject', `Anruf ${callsPlaced}`);
      anna.store.write('note', note, TENANT, 'body', `Rückruf erbeten (${ringing.id})`);
      anna.engine.notifyLocalChange();
      await hangupAll([page]);
      await caller.waitForEvent('CALL_CLOSED', 8000, mark);
    };
    const settle = async (timeoutMs: number) =>
      until(
        'every client online with nothing pending',
        async () => {
          const states = await Promise.all(rig.clients.map((c) => c.engine.syncNow()));
          return states.every((s) => s.state === 'online' && s.pending === 0);
        },
        timeoutMs,
      );

    // A warm round without faults: the baseline of the long-lived processes is taken after it.
    await editRound(1000);
    await call();
    await settle(30_000);
    const table = processTable();
    const chromium = descendantsOf(process.pid, table).find((p) => /chrom/.test(p.command) && !p.command.includes('--type='));
    // The test process hosts the apps (sync engines, phone core, proxies) and the harness' own records:
    // its V8 heap after a full collection is what the apps keep alive; RSS would mostly show the
    // allocator's caching. Chromium's RSS is its own.
    const heapMb = () => (collectGarbage(), process.memoryUsage().heapUsed / 2 ** 20);
    longLived = [
      { name: 'apps', kind: 'heap', pid: process.pid, memory: heapMb },
      ...(chromium ? [{ name: 'chromium', kind: 'rss', pid: chromium.pid, memory: () => resources(chromium.pid).rssMb }] : []),
    ].map((p) => ({ ...p, start: { mb: p.memory(), fds: resources(p.pid).fds } }));

    for (const fault of options.faults) {
      const faultStart = Date.now();
      log(`fault ${fault}`);
      const working = editRound(3000);
      await inject(rig, fault, metrics, violations, postmasters);
      await working;
      await call().catch((error: Error) => violations.push(`a call after the ${fault} fault failed: ${error.message}`));
      worst(
        metrics,
        `${fault}_recovered_ms`,
        await settle(60_000).catch((error: Error) => {
          violations.push(`after the ${fault} fault: ${error.message}`);
          return -1;
        }),
      );
      worst(metrics, `${fault}_round_ms`, Date.now() - faultStart);
    }

    // Afterwards: quiet, then the invariants.
    await settle(60_000);
    const server = await rig.serverState();
    const notes = (snapshot: Record<string, { value: FieldValue; version: string }>) =>
      Object.fromEntries(Object.entries(snapshot).filter(([k]) => k.startsWith('note/')));
    await until(
      'every client converged to the server',
      () => rig.clients.every((c) => JSON.stringify(notes(c.store.snapshot())) === JSON.stringify(notes(server))),
      20_000,
    ).catch(() => {
      for (const c of rig.clients) {
        const mine = notes(c.store.snapshot());
        const differ = Object.keys({ ...mine, ...notes(server) }).filter(
          (k) => JSON.stringify(mine[k]) !== JSON.stringify(server[k]),
        );
        if (differ.length) violations.push(`${c.user} differs from the server in ${differ.length} fields, e.g. ${differ[0]}`);
      }
    });
    // No acknowledged field lost or changed: the server holds, per field, the newest write anyone had acknowledged.
    const newest = new Map<string, { value: FieldValue; version: string }>();
    let acked = 0;
    for (const c of rig.clients)
      for (const a of c.store.acked) {
        acked++;
        const seen = newest.get(a.key);
        if (!seen || a.version > seen.version) newest.set(a.key, a);
      }
    for (const [key, want] of newest) {
      const have = server[key];
      if (
        !have ||
        have.version < want.version ||
        (have.version === want.version && JSON.stringify(have.value) !== JSON.stringify(want.value))
      )
        violations.push(
          `acknowledged ${key} = ${JSON.stringify(want.value)} (${want.version}) but the server has ${JSON.stringify(have)}`,
        );
    }
    metrics.acknowledged_writes = acked;
    metrics.edits = edit;
    for (const c of rig.clients) {
      const quarantined = c.store.quarantinedCount();
      if (quarantined > 0) violations.push(`${c.user} has ${quarantined} quarantined changes`);
    }
    if (rig.phone) {
      const rows = await rig.phone.page.evaluate(() => window.phoneTest.calls());
      metrics.calls = callsPlaced;
      if (rows.length !== callsPlaced) violations.push(`${callsPlaced} calls answered, ${rows.length} history rows in the app`);
      const unanswered = rows.filter((r) => r.outcome !== 'answered');
      if (unanswered.length)
        violations.push(`${unanswered.length} history rows not 'answered': ${JSON.stringify(unanswered[0])}`);
    }
    await pause(2000);
    for (const p of longLived) {
      const end = { mb: p.memory(), fds: resources(p.pid).fds };
      metrics[`${p.name}_${p.kind}_change_pct`] = Math.round((100 * (end.mb - p.start.mb)) / p.start.mb);
      metrics[`${p.name}_fd_change`] = end.fds - p.start.fds;
      if (end.mb > p.start.mb * 1.1) violations.push(`${p.name}: ${p.kind} ${p.start.mb.toFixed(0)} → ${end.mb.toFixed(0)} MB`);
      if (end.fds > Math.ceil(p.start.fds * 1.1)) violations.push(`${p.name}: file descriptors ${p.start.fds} → ${end.fds}`);
    }
  } finally {
    await rig.stop();
  }
  // No process leaked: nothing started by this run is still there.
  await pause(500);
  // A zombie has exited: this machine's PID 1 reaps orphans late or never, which is not a leak of ours.
  const leaked = processTable().filter(
    (p) =>
      !before.has(p.pid) &&
      p.state !== 'Z' &&
      (postmasters.has(p.ppid) || p.command.includes(rig.work) || p.command.includes(rig.postgres.dir)),
  );
  // esbuild's service (the phone page's bundler) lives as long as the process that bundled, by design.
  const ours = descendantsOf(process.pid).filter(
    (p) => !before.has(p.pid) && p.state !== 'Z' && !/esbuild --service/.test(p.command),
  );
  for (const p of [...leaked, ...ours]) violations.push(`process left running: ${p.pid} ${p.command.slice(0, 120)}`);
  metrics.total_ms = Date.now() - startedAt;
  return { violations, metrics };
}

/** A fault repeated keeps its worst figure. */
function worst(metrics: Record<string, number>, key: string, value: number): void {
  metrics[key] = Math.max(metrics[key] ?? value, value);
}

async function inject(
  rig: ChaosRig,
  fault: Fault,
  metrics: Record<string, number>,
  violations: string[],
  postmasters: Set<number>,
): Promise<void> {
  switch (fault) {
    case 'link':
      rig.serverHost.cut();
      await pause(3000);
      rig.serverHost.restore();
      return;
    case 'proxy':
      rig.proxy.cut();
      await pause(2000);
      rig.proxy.restore();
      return;
    case 'server':
      await rig.killServer();
      await waitGone([rig.server().pid], 5000);
      await pause(1000);
      await rig.startServer();
      return;
    case 'postgres':
      await rig.postgres.kill();
      await pause(1000);
      rig.postgres.start();
      postmasters.add(rig.postgres.pid());
      return;
    case 'disk': {
      rig.postgres.fill();
      // While the disk is full every write is refused whole, as 507 storage_full, and stays pending.
      const refused = await until(
        'a push refused with 507 while the disk is full',
        async () => {
          const c = rig.clients[0]!;
          // New rows of a few KB: free room left in existing pages would take small updates for a while.
          for (let i = 0; i < 10; i++)
            c.store.write('note', randomUUID(), TENANT, 'body', 'während die Platte voll ist '.repeat(150));
          const status = await c.engine.syncNow();
          return status.lastError?.status === 507 && status.pending > 0;
        },
        30_000,
      ).catch((error: Error) => (violations.push(error.message), -1));
      worst(metrics, 'disk_full_refused_ms', refused);
      rig.postgres.free();
      return;
    }
    case 'pbx_link': {
      // The app's WSS to Kamailio dropped (RST) and refused for 3 s; Kamailio itself keeps running.
      const { proxy, page } = rig.phone!;
      proxy.cut();
      await until('the app notices its PBX link is gone', async () => (await registration(page)) !== 'registered', 10_000);
      await pause(3000);
      proxy.restore();
      const back = Date.now();
      await until('re-registration', async () => (await registration(page)) === 'registered', 30_000).catch((error: Error) =>
        violations.push(error.message),
      );
      const took = Date.now() - back;
      worst(metrics, 'pbx_link_reregister_ms', took);
      if (took > 10_000) violations.push(`the app re-registered ${took} ms after its PBX link returned (limit 10 s)`);
      return;
    }
    case 'kamailio': {
      const { rig: phone, page } = rig.phone!;
      await phone.stack.killKamailio('SIGKILL');
      await until('the app notices the PBX is gone', async () => (await registration(page)) !== 'registered', 10_000);
      await pause(1000);
      await phone.stack.restartKamailio();
      const back = Date.now();
      await until('re-registration', async () => (await registration(page)) === 'registered', 30_000).catch((error: Error) =>
        violations.push(error.message),
      );
      const took = Date.now() - back;
      worst(metrics, 'reregister_ms', took);
      if (took > 10_000) violations.push(`the app re-registered ${took} ms after the PBX returned (limit 10 s)`);
      return;
    }
    case 'rtpengine':
      await rig.phone!.rig.stack.killRtpengine('SIGKILL');
      await pause(1000);
      await rig.phone!.rig.stack.restartRtpengine();
      return;
  }
}
