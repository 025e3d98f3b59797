import { randomUUID } from 'node:crypto';
import type { FieldValue } from '../../protocol/index.js';
import { collectGarbage, descendantsOf, processTable, resources } from './census.js';
import {
  CHAOS_TENANT,
  PBX_FAULTS,
  PBX_HOST_FAULTS,
  inject,
  pause,
  until,
  worst,
  type Fault,
  type FaultLog,
} from './chaos-faults.js';
import { ChaosPhones } from './chaos-phones.js';
import { startChaosRig, type ChaosRigOptions } from './chaos-rig.js';

export { PBX_FAULTS, PBX_HOST_FAULTS, SYNC_FAULTS, type Fault } from './chaos-faults.js';

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

const FIELDS = ['subject', 'body'] as const;

/**
 * A compressed office day with faults: every round each client edits the shared records (notes,
 * as after calls) and the apps' users change their presence while one fault is injected and healed;
 * then an outside caller rings the firm and the first app answers, the first app calls the second,
 * each call with a note, and both apps must show each other's status. Afterwards the invariants of
 * docs/reliability.md are checked and the figures measured.
 */
export async function runOfficeDay(options: OfficeDayOptions): Promise<OfficeDayReport> {
  const log = options.log ?? (() => undefined);
  const withCalls = options.faults.some((f) => PBX_FAULTS.includes(f) || PBX_HOST_FAULTS.includes(f));
  const before = new Set(processTable().map((p) => p.pid));
  const violations: string[] = [];
  const metrics: Record<string, number> = {};
  const startedAt = Date.now();
  const rig = await startChaosRig({ ...options, calls: withCalls });
  metrics.setup_ms = Date.now() - startedAt;
  const postmasters = new Set<number>([rig.postgres.pid()]);
  const phones = new ChaosPhones(rig);
  const faultLog: FaultLog = { metrics, violations, postmasters };
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
          c.store.write('note', id, CHAOS_TENANT, field, `${c.user} ${field} ${edit++}`);
          c.engine.notifyLocalChange();
        }
        await pause(spreadMs / options.editsPerRound);
      }
    };
    // Presence changes while the fault lasts: "Nicht stören" first, then a status that lets the calls after it through.
    const presenceRound = async () => {
      await phones.changePresence(false);
      await pause(1500);
      await phones.changePresence(true);
    };
    const calls = async (after: string) => {
      if (!rig.phone) return;
      const started = Date.now();
      await phones
        .outsideCall()
        .catch((error: Error) => violations.push(`an outside call after ${after} failed: ${error.message}`));
      const outside = Date.now();
      await phones
        .internalCall()
        .catch((error: Error) => violations.push(`an internal call after ${after} failed: ${error.message}`));
      const internal = Date.now();
      // Each step has its own timeout; a call whose steps all barely made it is still no working call.
      for (const [kind, ms] of [
        ['outside', outside - started],
        ['internal', internal - outside],
      ] as const)
        if (ms > 10_000) violations.push(`an ${kind} call after ${after} took ${ms} ms (limit 10 s)`);
      const { ms, mismatches } = await phones.presenceConverged(10_000);
      worst(metrics, 'presence_converged_ms', ms);
      for (const m of mismatches) violations.push(`presence after ${after}: ${m}`);
      log(`calls after ${after}: outside ${outside - started} ms, internal ${internal - outside} ms, presence ${ms} ms`);
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
    await calls('the warm round');
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
      const broken = violations.length;
      log(`fault ${fault}`);
      const working = Promise.all([editRound(3000), rig.phone ? presenceRound() : undefined]);
      await inject(rig, fault, faultLog);
      await working;
      await calls(`the ${fault} fault`);
      worst(
        metrics,
        `${fault}_recovered_ms`,
        await settle(60_000).catch((error: Error) => {
          violations.push(`after the ${fault} fault: ${error.message}`);
          return -1;
        }),
      );
      worst(metrics, `${fault}_round_ms`, Date.now() - faultStart);
      log(
        `${fault}: ${Date.now() - faultStart} ms${violations
          .slice(broken)
          .map((v) => `\n  broken: ${v}`)
          .join('')}`,
      );
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
      // The day's last word on presence, after the last fault: both colleagues must see it.
      await phones.setPresence({ [options.users[0]!]: 'dnd', [options.users[1]!]: 'offline' });
      const { ms, mismatches } = await phones.presenceConverged(10_000);
      metrics.presence_final_ms = ms;
      for (const m of mismatches) violations.push(`final presence: ${m}`);
      metrics.calls_outside = phones.outside;
      metrics.calls_internal = phones.internal;
      violations.push(...(await phones.historyViolations()));
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
