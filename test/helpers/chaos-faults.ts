import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { waitGone } from './census.js';
import type { ChaosRig } from './chaos-rig.js';
import { registration, type PhoneTest } from './phone-rig.js';

declare const window: { phoneTest: PhoneTest };

/** The faults of the chaos suite; docs/reliability.md says how each is made. */
export type Fault = 'link' | 'proxy' | 'server' | 'postgres' | 'disk' | 'pbx_link' | 'pbx_proxy' | 'kamailio' | 'rtpengine';
export const SYNC_FAULTS: Fault[] = ['link', 'proxy', 'server', 'postgres', 'disk'];
export const PBX_FAULTS: Fault[] = ['pbx_proxy', 'kamailio', 'rtpengine'];
/**
 * The PBX host's link cut without a reset: only in the full run, since a call's end can still be lost
 * in it now and then (docs/reliability.md, "Found by the suite").
 */
export const PBX_HOST_FAULTS: Fault[] = ['pbx_link'];

export const CHAOS_TENANT = 'tischlerei';
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(100);
  }
  return Date.now() - started;
}

/** A fault repeated keeps its worst figure. */
export function worst(metrics: Record<string, number>, key: string, value: number): void {
  metrics[key] = Math.max(metrics[key] ?? value, value);
}

/** What a fault reports back: its figures and broken invariants, and postmasters to count in the leak check. */
export interface FaultLog {
  metrics: Record<string, number>;
  violations: string[];
  postmasters: Set<number>;
}

/**
 * Every app registered again within 10 s of `back` (the PBX or its link returning), as `metric`: the
 * time of each app's last (re-)registration once none has changed for 2 s — an app that opens a second
 * connection while its first still hangs is not back until it has settled on one. An app that never
 * noticed the outage counts as back at once; the calls after the fault show whether the PBX knows it.
 */
async function reregistered(pages: Page[], back: number, metric: string, what: string, log: FaultLog): Promise<void> {
  const last = pages.map(() => ({ at: back, registeredAt: undefined as number | undefined }));
  await until(
    're-registration',
    async () => {
      const views = await Promise.all(pages.map((page) => page.evaluate(() => window.phoneTest.registration())));
      views.forEach((view, i) => {
        if (view.registeredAt !== last[i]!.registeredAt) last[i] = { at: Date.now(), registeredAt: view.registeredAt };
      });
      return views.every((v) => v.status === 'registered') && last.every((l) => Date.now() - l.at >= 2000);
    },
    30_000,
  ).catch((error: Error) => log.violations.push(`${what}: ${error.message}`));
  // A registration from before `back` (the app never noticed) counts as none needed.
  const took = Math.max(0, ...last.map((l) => (l.registeredAt ?? 0) - back));
  worst(log.metrics, metric, took);
  if (took > 10_000) log.violations.push(`the apps re-registered ${took} ms after ${what} (limit 10 s)`);
}

export async function inject(rig: ChaosRig, fault: Fault, log: FaultLog): Promise<void> {
  const { metrics, violations } = log;
  const pages = Object.values(rig.phone?.pages ?? {});
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
      log.postmasters.add(rig.postgres.pid());
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
            c.store.write('note', randomUUID(), CHAOS_TENANT, 'body', 'während die Platte voll ist '.repeat(150));
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
      // The PBX's host cut off (veth down, no RST): the apps' WSS and the caller's UDP hang; the PBX runs on.
      rig.phone!.host.cut();
      await pause(4000);
      rig.phone!.host.restore();
      await reregistered(pages, Date.now(), 'pbx_link_reregister_ms', 'the PBX host link returned', log);
      return;
    }
    case 'pbx_proxy': {
      // The apps' WSS to Kamailio dropped (RST) and refused for 3 s; Kamailio itself keeps running.
      const { proxy } = rig.phone!;
      proxy.cut();
      for (const page of pages)
        await until('an app notices its PBX link is gone', async () => (await registration(page)) !== 'registered', 10_000);
      await pause(3000);
      proxy.restore();
      await reregistered(pages, Date.now(), 'pbx_proxy_reregister_ms', 'the PBX link was let through again', log);
      return;
    }
    case 'kamailio': {
      const { stack } = rig.phone!.rig;
      await stack.killKamailio('SIGKILL');
      for (const page of pages)
        await until('an app notices the PBX is gone', async () => (await registration(page)) !== 'registered', 10_000);
      await pause(1000);
      await stack.restartKamailio();
      await reregistered(pages, Date.now(), 'reregister_ms', 'the PBX returned', log);
      return;
    }
    case 'rtpengine':
      await rig.phone!.rig.stack.killRtpengine('SIGKILL');
      await pause(1000);
      await rig.phone!.rig.stack.restartRtpengine();
      return;
  }
}
