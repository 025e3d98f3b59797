/**
 * `npm run bench -- scale`: how latency and memory grow with the number of apps. Simulated apps
 * (bench/_sim-app.ts: the real sync engine with the live socket, SIP over WSS to the real Kamailio,
 * each with its own client certificate) in firms of TEAM people, at 100, 500 and 2,000 apps, against
 * 1 and then 2 server processes on one PostgreSQL database and one Kamailio. While a step is measured
 * every app keeps doing what an idle app does (WebSocket pings, OPTIONS, live socket heartbeats) and
 * edits a field now and then (one per BACKGROUND_MS on average).
 *
 * Per step (suffix `_<servers>srv_<apps>apps`): live_latency_p95_ms (a field written in one app →
 * applied by a colleague on the other server process, via push, NOTIFY, live nudge and pull),
 * push_p95_ms (the writer's sync cycle), register_p95_ms (a re-REGISTER → 200), presence_fanout_p95_ms
 * (PUBLISH → the last of the publisher's colleagues has the NOTIFY), server_rss_mb_per_100_apps (the
 * server processes' RSS growth since the previous step, per 100 apps added), kamailio_shm_mb (core.shmmem
 * real_used). Then live_latency_growth_2000_vs_100 (largest step over smallest, 1 server; `_2srv`
 * for 2). Apps and servers share this machine's cores, so every figure is conservative.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { emit, onAbort, percentile, runSuite, SMOKE, size, step } from './_metrics.js';
import { kamailioShmMb, liveRssMb, startApps, startScaleRig, type ScaleRig } from './_scale-rig.js';
import { kamailioHealth } from './_kamailio-health.js';
import type { SimApp } from './_sim-app.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'scale';
const log = (message: string) => process.stderr.write(`${message}\n`);
/** SCALE_STEPS=100,500 and SCALE_SERVERS=2 narrow a run by hand; the defaults are the issue's. */
const list = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const STEPS = list(process.env.SCALE_STEPS, SMOKE ? [4, 16] : [100, 500, 2000]);
const SERVER_COUNTS = list(process.env.SCALE_SERVERS, [1, 2]);
const TEAM = 8;
const LIVE_ROUNDS = size(30, 3);
const PRESENCE_ROUNDS = size(20, 3);
const REGISTER_ROUNDS = size(30, 3);
const BACKGROUND_MS = size(120_000, 20_000);
const GC_SETTLE_MS = size(1000, 200);
const PARALLEL_STARTS = size(16, 4);
/**
 * Kamailio's shared memory: room for the largest step and for what the previous phase's apps leave
 * behind until it expires (per-app figures in docs/scale.md).
 */
const SHM_MB = size(1024, 64);
/** Per app: the sync HTTPS keep-alive socket, the live socket, the PBX socket — and headroom. */
const FDS_PER_APP = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg()[0]!.toFixed(2);

function checkFdLimit(apps: number): void {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  if (limit < apps * FDS_PER_APP + 256)
    throw new Error(`ulimit -n is ${limit}: ${apps} simulated apps need about ${apps * FDS_PER_APP + 256} file descriptors`);
}

/** A field written by `writer` → applied by `reader`; the push's own cycle is sampled on the way. */
async function liveRound(writer: SimApp, reader: SimApp): Promise<{ live: number; push: number }> {
  const id = randomUUID();
  const seen = reader.seen(id);
  const { pushMs, startedAt } = await writer.edit(id);
  return { live: (await seen) - startedAt, push: pushMs };
}

/** PUBLISH by `publisher` → the last of its watching colleagues has the NOTIFY carrying this round's token. */
async function presenceRound(publisher: SimApp, watchers: SimApp[], round: number): Promise<number> {
  const token = `runde-${round}-${randomUUID().slice(0, 8)}`;
  const heard = watchers.map(
    (w) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${w.user} heard no NOTIFY from ${publisher.user} within 10 s`)), 10_000);
        w.sip.onNotify = (from, body, at) => {
          if (from !== publisher.user || !body.includes(token)) return;
          clearTimeout(timer);
          w.sip.onNotify = undefined;
          resolve(at);
        };
      }),
  );
  const sentAt = performance.now();
  await publisher.sip.publish(round % 2 ? 'dnd' : 'available', token);
  return Math.max(...(await Promise.all(heard))) - sentAt;
}

/**
 * `before`: the server processes' RSS at the previous step (or idle, before the first), with its app
 * count; server_rss_mb_per_100_apps is the growth since then per 100 apps added — the marginal cost.
 */
async function measureStep(
  rig: ScaleRig,
  apps: SimApp[],
  servers: number,
  before: { rss: number; apps: number },
): Promise<{ p95: number; rss: number }> {
  const label = `${servers}srv_${apps.length}apps`;
  const live: number[] = [];
  const push: number[] = [];
  for (let round = 0; round < LIVE_ROUNDS; round++) {
    // Neighbours i and i^1 share a firm (TEAM is even) and, with 2 servers, sit on different ones.
    const i = Math.floor(Math.random() * apps.length);
    const sample = await step(`live round ${round} (${label})`, 30_000, () => liveRound(apps[i]!, apps[i ^ 1]!));
    live.push(sample.live);
    push.push(sample.push);
    await sleep(100);
  }
  const fanout: number[] = [];
  for (let round = 0; round < PRESENCE_ROUNDS; round++) {
    const i = Math.floor(Math.random() * apps.length);
    const team = new Set(rig.teamOf(apps[i]!.user));
    const watchers = apps.filter((a) => team.has(a.user));
    fanout.push(await step(`presence round ${round} (${label})`, 20_000, () => presenceRound(apps[i]!, watchers, round)));
    await sleep(100);
  }
  const register: number[] = [];
  for (let round = 0; round < REGISTER_ROUNDS; round++) {
    const app = apps[Math.floor(Math.random() * apps.length)]!;
    register.push(await step(`register round ${round} (${label})`, 20_000, () => app.sip.register()));
    await sleep(50);
  }
  const rss = await liveRssMb(rig.servers, GC_SETTLE_MS);
  const shm = await kamailioShmMb(rig.stack);
  const p95 = percentile(live, 0.95);
  emit(SUITE, `live_latency_p95_ms_${label}`, p95, 'ms');
  emit(SUITE, `push_p95_ms_${label}`, percentile(push, 0.95), 'ms');
  emit(SUITE, `register_p95_ms_${label}`, percentile(register, 0.95), 'ms');
  emit(SUITE, `presence_fanout_p95_ms_${label}`, percentile(fanout, 0.95), 'ms');
  emit(SUITE, `server_rss_mb_per_100_apps_${label}`, (rss - before.rss) / ((apps.length - before.apps) / 100), 'MB');
  emit(SUITE, `kamailio_shm_mb_${label}`, shm, 'MB');
  log(`${label}: load average ${load()}, server RSS ${rss.toFixed(0)} MB (${before.rss.toFixed(0)} MB at ${before.apps} apps)`);
  return { p95, rss };
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const most = STEPS.at(-1)!;
  checkFdLimit(most);
  log(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rig = await step('directory, certificates, database, Kamailio', 180_000, () =>
    startScaleRig({ users: most * SERVER_COUNTS.length, teamSize: TEAM, servers: 0, shmMb: SHM_MB }),
  );
  const health = kamailioHealth(rig.stack);
  const unregister = onAbort(() => {
    log(health.summary());
    return rig.close();
  });
  let apps: SimApp[] = [];
  const closeApps = async () => {
    await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
    apps = [];
  };
  onAbort(closeApps);
  try {
    health.checkFdLimit(most);
    for (const [phase, servers] of SERVER_COUNTS.entries()) {
      // Each phase brings apps of users of its own: fresh registrations and subscriptions, none
      // left over from the previous phase's apps.
      const offset = phase * most;
      await step(`${servers} server process(es) start`, 60_000, async () => {
        await Promise.all(Array.from({ length: servers }, () => rig.addServer()));
      });
      await sleep(size(5000, 1000));
      let before = { rss: await liveRssMb(rig.servers, GC_SETTLE_MS), apps: 0 };
      const p95: number[] = [];
      for (const count of STEPS) {
        const fresh = Array.from({ length: count - apps.length }, (_, k) => rig.app(offset + apps.length + k));
        const started = performance.now();
        const rampRegister = await step(
          `start apps ${apps.length + 1}–${count} (${servers} srv)`,
          120_000 + fresh.length * 400,
          () => startApps(fresh, PARALLEL_STARTS),
        );
        apps.push(...fresh);
        for (const app of fresh) app.startBackground(BACKGROUND_MS);
        log(
          `${count} apps on ${servers} server(s) up in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
            `(ramp REGISTER p95 ${percentile(rampRegister, 0.95).toFixed(0)} ms), load ${load()}`,
        );
        await sleep(size(5000, 500));
        const measured = await measureStep(rig, apps, servers, before);
        p95.push(measured.p95);
        before = { rss: measured.rss, apps: apps.length };
      }
      const suffix = servers === 1 ? '' : `_${servers}srv`;
      emit(SUITE, `live_latency_growth_2000_vs_100${suffix}`, p95.at(-1)! / p95[0]!, 'ratio');
      await step(`stop apps and servers (${servers} srv)`, 120_000, async () => {
        await closeApps();
        await Promise.all(rig.servers.splice(0).map((s) => s.stop()));
      });
    }
  } catch (error) {
    // Said now: a clean-up that fails as well would otherwise replace it.
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    throw error;
  } finally {
    log(health.summary());
    await closeApps();
    unregister();
    await step('shutdown', 180_000, () => rig.close());
  }
});
