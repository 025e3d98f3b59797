/**
 * `npm run bench -- soak`: a compressed office day against one server process, PostgreSQL, Kamailio
 * and rtpengine — CALLS calls between simulated apps (INVITE with SDP through Kamailio and rtpengine,
 * 200, ACK, BYE; each call leaves a note in the caller's firm), CHANGES field changes pushed by the
 * apps and pulled by their colleagues, PRESENCE_PER_APP presence changes per app (each a NOTIFY to
 * every colleague). The work runs in SLICES equal slices; after each one (and a short settle) every
 * long-lived process is sampled: the apps' heap (all simulated apps share this process, after a
 * forced GC), the server's RSS, Kamailio's shared memory in use and rtpengine's RSS, and the open file descriptors of each.
 *
 * Prints the least-squares slopes app_heap_mb_per_1000_calls and server_rss_mb_per_100k_changes, and
 * fd_growth (descriptors open at the end minus after the first slice, over all processes, both taken
 * after rtpengine's delete delay; goal 0).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { emit, onAbort, runSuite, size, step } from './_metrics.js';
import { fdCount, kamailioPids, kamailioShmMb, rssMb, startApps, startScaleRig } from './_scale-rig.js';
import type { SimApp } from './_sim-app.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'soak';
const log = (message: string) => process.stderr.write(`${message}\n`);
const APPS = size(40, 8);
const TEAM = size(8, 4);
const CALLS = size(1000, 20);
const CHANGES = size(100_000, 2000);
const PRESENCE_PER_APP = size(200, 10);
const SLICES = size(10, 4);
const PARALLEL_CALLS = 4;
/** Changes an app writes before it syncs: a busy afternoon's typing between two pushes. */
const CHANGES_PER_PUSH = 250;

const RTPENGINE_DELETE_DELAY_MS = size(32_000, 2000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;

interface Sample {
  calls: number;
  changes: number;
  appHeapMb: number;
  serverRssMb: number;
  kamailioShmMb: number;
  rtpengineRssMb: number;
  fds: number;
  /** Per process, for the log: which one grew. */
  fdsBy: Record<string, number>;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxy / sxx;
}

async function parallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  if (!gc) throw new Error('soak needs --expose-gc (npm run bench passes it)');
  log(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rig = await step('directory, certificates, database, server, Kamailio', 120_000, () =>
    startScaleRig({ users: APPS, teamSize: TEAM, servers: 1, shmMb: 128 }),
  );
  const unregister = onAbort(() => rig.close());
  const apps: SimApp[] = Array.from({ length: APPS }, (_, i) => rig.app(i));
  try {
    await step(`start ${APPS} apps`, 120_000, () => startApps(apps, 4));
    const server = rig.servers[0]!;
    const kamailio = () => kamailioPids(rig.stack.info.pids.kamailio);
    let calls = 0;
    let changes = 0;
    const samples: Sample[] = [];
    const sample = async (settleMs: number) => {
      await sleep(settleMs);
      gc();
      const fdsBy = {
        apps: fdCount(process.pid),
        server: fdCount(server.pid),
        kamailio: kamailio().reduce((sum, pid) => sum + fdCount(pid), 0),
        rtpengine: fdCount(rig.stack.info.pids.rtpengine),
      };
      const s: Sample = {
        calls,
        changes,
        appHeapMb: process.memoryUsage().heapUsed / 1024 / 1024,
        serverRssMb: rssMb(server.pid),
        kamailioShmMb: await kamailioShmMb(rig.stack),
        rtpengineRssMb: rssMb(rig.stack.info.pids.rtpengine),
        fds: Object.values(fdsBy).reduce((a, b) => a + b, 0),
        fdsBy,
      };
      samples.push(s);
      log(
        `after ${calls} calls, ${changes} changes: app heap ${s.appHeapMb.toFixed(1)} MB, server RSS ${s.serverRssMb.toFixed(1)} MB, ` +
          `Kamailio shm ${s.kamailioShmMb.toFixed(1)} MB, rtpengine RSS ${s.rtpengineRssMb.toFixed(1)} MB, fds ${JSON.stringify(fdsBy)}, load ${loadavg()[0]!.toFixed(2)}`,
      );
    };
    for (let slice = 0; slice < SLICES; slice++) {
      await step(`slice ${slice + 1}/${SLICES}: calls`, 300_000, () => {
        const pairs = Array.from({ length: CALLS / SLICES }, (_, k) => {
          const caller = apps[(slice * 7 + k) % APPS]!;
          const team = rig.teamOf(caller.user);
          return { caller, callee: team[k % team.length]! };
        });
        return parallel(pairs, PARALLEL_CALLS, async ({ caller, callee }) => {
          const call = await caller.sip.call(callee);
          await caller.sip.hangup(call, callee);
          caller.store.write('note', randomUUID(), caller.options.tenant, 'body', `Anruf an ${callee}: Rückruf erbeten`);
          calls++;
          changes++;
        });
      });
      await step(`slice ${slice + 1}/${SLICES}: field changes`, 300_000, () => {
        const perApp = Math.ceil((CHANGES / SLICES - CALLS / SLICES) / APPS);
        return parallel(apps, 8, async (app) => {
          for (let done = 0; done < perApp; done += CHANGES_PER_PUSH) {
            const batch = Math.min(CHANGES_PER_PUSH, perApp - done);
            app.store.db.transaction(() => {
              for (let k = 0; k < batch; k++)
                app.store.write('note', randomUUID(), app.options.tenant, 'body', `Notiz ${changes + k}: Termin verschoben`);
            })();
            await app.edit();
            changes += batch + 1;
          }
        });
      });
      await step(`slice ${slice + 1}/${SLICES}: presence`, 300_000, () =>
        parallel(apps, 8, async (app) => {
          for (let k = 0; k < PRESENCE_PER_APP / SLICES; k++)
            await app.sip.publish(k % 2 ? 'available' : 'dnd', `soak ${slice}-${k}`);
        }),
      );
      // The first and the last sample wait out rtpengine's delete delay (30 s by default: a call's
      // ports stay open that long after its BYE), so fd_growth compares quiet states. Not in smoke
      // mode, whose figures only have to be measured.
      await sample(slice === 0 || slice === SLICES - 1 ? RTPENGINE_DELETE_DELAY_MS : size(2000, 500));
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    emit(SUITE, 'soak_calls', calls, 'count');
    emit(SUITE, 'soak_changes', changes, 'count');
    emit(SUITE, 'app_heap_mb_per_1000_calls', slope(samples.map((s) => [s.calls, s.appHeapMb])) * 1000, 'MB');
    emit(SUITE, 'server_rss_mb_per_100k_changes', slope(samples.map((s) => [s.changes, s.serverRssMb])) * 100_000, 'MB');
    emit(SUITE, 'kamailio_shm_mb_per_1000_calls', slope(samples.map((s) => [s.calls, s.kamailioShmMb])) * 1000, 'MB');
    emit(SUITE, 'rtpengine_rss_mb_per_1000_calls', slope(samples.map((s) => [s.calls, s.rtpengineRssMb])) * 1000, 'MB');
    emit(SUITE, 'fd_growth', last.fds - first.fds, 'fds');
  } finally {
    await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
    unregister();
    await step('shutdown', 60_000, () => rig.close());
  }
});
