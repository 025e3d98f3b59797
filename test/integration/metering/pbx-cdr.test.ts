import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingCallLine } from '../../../protocol/billing-lines.js';
import type { Database } from '../../../server/db/database.js';
import { migrate } from '../../../server/db/migrations.js';
import { PgDatabase } from '../../../server/db/pg-database.js';
import { PgliteDatabase } from '../../../server/db/pglite-database.js';
import type { Directory } from '../../../server/home/directory.js';
import { homeLayout } from '../../../server/home/layout.js';
import { DbBillingSource } from '../../../server/metering/billing-source.js';
import { CdrFileIngester } from '../../../server/metering/cdr-ingest.js';
import { freePort, startBaresip, type Baresip } from '../../helpers/baresip.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { openSipApp, type SipApp } from '../../helpers/sip-app.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';
import { freshDatabase } from '../../helpers/sync-postgres.js';

// Real calls through Kamailio (acc CDRs on dialogs) from baresip callers to scripted apps on their
// certified WSS connections, and out through a baresip trunk: each leaves one CDR that the server's
// BillingSource joins to the firm by its number and to the user who answered or placed it — read
// from the flat files the server ingests, and written by Kamailio straight into PostgreSQL.
const MUELLER = '+49301234567';
const SCHMIDT = '+49407654321';
const CALLER = '+4917612345678';
const MOBILE = '+4915199887766';
const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] },
    { id: 'schmidt', name: 'Sanitär Schmidt', numbers: ['+49 40 7654321'] },
  ],
  users: [
    { id: 'alice', name: 'Alice Abel', role: 'teleworker', tenants: ['mueller'], certificates: [] },
    { id: 'bob', name: 'Bob Bauer', role: 'teleworker', tenants: ['schmidt'], certificates: [] },
  ],
};
const MONTH = ['2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z'] as const;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  home: TestHome;
  stack: Stack;
  apps: Record<'alice' | 'bob', SipApp>;
  caller: Baresip;
  trunk: Baresip;
  stop(): Promise<void>;
}

async function startRig(cdrPostgresUrl?: string): Promise<Rig> {
  const home = createTestHome();
  home.writeDirectory(DIRECTORY);
  const certs = { alice: home.issue('alice'), bob: home.issue('bob') };
  const trunkPort = await freePort();
  const stack = await startTestStack(home.home, {
    trunk: `127.0.0.1:${trunkPort}`,
    ...(cdrPostgresUrl ? { cdrPostgresUrl } : {}),
  });
  const app = (user: 'alice' | 'bob') =>
    openSipApp({
      user,
      domain: stack.info.sipDomain,
      url: () => stack.info.pbxWss,
      tls: { pfx: certs[user].pfx, passphrase: certs[user].passphrase, ca: home.caPem },
      logHome: home.home,
    });
  const apps = { alice: app('alice'), bob: app('bob') };
  for (const a of Object.values(apps)) expect(await a.register()).toBe('SIP/2.0 200 OK');
  const { sipDomain, ports } = stack.info;
  const trunk = await startBaresip({ user: MOBILE, domain: sipDomain, pbxPort: ports.udp, sipPort: trunkPort, autoAnswer: true });
  const caller = await startBaresip({ user: CALLER, domain: sipDomain, pbxPort: ports.udp });
  return {
    home,
    stack,
    apps,
    caller,
    trunk,
    async stop() {
      for (const a of Object.values(apps)) a.close();
      await caller.stop();
      await trunk.stop();
      await stack.stop();
      rmSync(home.home, { recursive: true, force: true });
    },
  };
}

/** The caller rings `number`, `app` answers, the caller hangs up after `talkMs`; resolves with the Call-ID. */
async function callIn(rig: Rig, number: string, app: SipApp, talkMs: number): Promise<string> {
  const mark = rig.caller.events.length;
  const seen = app.messages.length;
  await rig.caller.command('dial', `sip:${number}@${rig.stack.info.sipDomain}`);
  const callId = await app.answerNext(seen);
  await rig.caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  await pause(talkMs);
  await rig.caller.command('hangup');
  await rig.caller.waitForEvent('CALL_CLOSED', 8000, mark);
  return callId;
}

/** `app` calls the mobile through the trunk as the firm `asNumber`, talks `talkMs`, hangs up. */
async function callOut(rig: Rig, app: SipApp, asNumber: string, talkMs: number): Promise<{ status: number; callId: string }> {
  const mark = rig.trunk.events.length;
  const placed = await app.invite(MOBILE, [`P-Preferred-Identity: <sip:${asNumber}@${rig.stack.info.sipDomain}>`]);
  if (placed.status !== 200) return placed;
  await rig.trunk.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
  await pause(talkMs);
  expect(await app.bye(placed.callId)).toBe(200);
  await rig.trunk.waitForEvent('CALL_CLOSED', 8000, mark);
  return placed;
}

function expectLines(
  lines: BillingCallLine[],
  expected: { callId: string; direction: 'in' | 'out'; by: string; remote: string; talk: number }[],
) {
  expect(lines.map((l) => l.callId).sort()).toEqual(expected.map((e) => e.callId).sort());
  for (const e of expected) {
    const line = lines.find((l) => l.callId === e.callId)!;
    expect(line).toMatchObject({ direction: e.direction, answeredBy: e.by, remoteNumber: e.remote });
    // Measured by the PBX between its 200 and the BYE: the scripted pause, give or take scheduling.
    expect(line.talkSeconds).toBeGreaterThanOrEqual(e.talk - 1);
    expect(line.talkSeconds).toBeLessThanOrEqual(e.talk + 1);
    expect(line.ringSeconds).toBeLessThanOrEqual(3);
  }
}

describe('CDRs as files the server ingests (the PGlite case)', () => {
  let rig: Rig;
  let dbDir: string;
  let db: Database;
  beforeAll(async () => {
    rig = await startRig();
    dbDir = mkdtempSync(join(tmpdir(), 'vermittlung-cdr-file-'));
    db = await PgliteDatabase.open(dbDir);
    await migrate(db);
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
    await db?.close();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('meters each firm’s calls, in and on its behalf, to the firm by number and to the user', async () => {
    const inMueller = await callIn(rig, MUELLER, rig.apps.alice, 2000);
    const inSchmidt = await callIn(rig, SCHMIDT, rig.apps.bob, 1000);
    const outMueller = await callOut(rig, rig.apps.alice, MUELLER, 1000);
    expect(outMueller.status).toBe(200);
    // Bob does not serve Müller: the PBX will not present Müller's number for him.
    const refused = await rig.apps.bob.invite(MOBILE, [`P-Preferred-Identity: <sip:${MUELLER}@${rig.stack.info.sipDomain}>`]);
    expect(refused.reply.split('\r\n')[0]).toBe("SIP/2.0 403 Forbidden - not your firm's number");

    const ingester = new CdrFileIngester(db, homeLayout(rig.home.home).cdrDir, () => undefined);
    await expect
      .poll(async () => (await ingester.ingest(), (await db.query('SELECT 1 FROM pbx_cdr')).rows.length), { timeout: 5000 })
      .toBe(3);
    // A second pass finds nothing new: offsets are kept.
    expect(await ingester.ingest()).toBe(0);

    const source = new DbBillingSource(db, () => DIRECTORY);
    expectLines(await source.callLines('mueller', ...MONTH), [
      { callId: inMueller, direction: 'in', by: 'alice', remote: CALLER, talk: 2 },
      { callId: outMueller.callId, direction: 'out', by: 'alice', remote: MOBILE, talk: 1 },
    ]);
    expectLines(await source.callLines('schmidt', ...MONTH), [
      { callId: inSchmidt, direction: 'in', by: 'bob', remote: CALLER, talk: 1 },
    ]);
  }, 90_000);
});

describe('CDRs written by Kamailio into the server’s PostgreSQL', () => {
  let rig: Rig;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let db: PgDatabase;
  beforeAll(async () => {
    database = await freshDatabase('metering_cdr');
    db = new PgDatabase(database.url, () => undefined);
    // The server migrates first: the table acc inserts into is the server's.
    await migrate(db);
    rig = await startRig(database.url);
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
    await db?.close();
    await database?.drop();
  });

  it('finds the call in pbx_cdr without any file, joined like the ingested ones', async () => {
    const callId = await callIn(rig, MUELLER, rig.apps.alice, 1000);
    await expect.poll(async () => (await db.query('SELECT 1 FROM pbx_cdr')).rows.length, { timeout: 5000 }).toBe(1);
    const source = new DbBillingSource(db, () => DIRECTORY);
    expectLines(await source.callLines('mueller', ...MONTH), [{ callId, direction: 'in', by: 'alice', remote: CALLER, talk: 1 }]);
    expect(await source.callLines('schmidt', ...MONTH)).toEqual([]);
  }, 60_000);
});
