import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetContract } from '../../../protocol/billing-contract.js';
import { migrate } from '../../../server/db/migrations.js';
import { PgliteDatabase } from '../../../server/db/pglite-database.js';
import { homeLayout } from '../../../server/home/layout.js';
import { writeContract } from '../../../server/metering/contracts.js';
import { berlinDate } from '../../../server/metering/billing-source.js';
import { startBaresip, type Baresip } from '../../helpers/baresip.js';
import { createTestHome, type TestHome } from '../../helpers/pbx-certs.js';
import { openSipApp, type SipApp } from '../../helpers/sip-app.js';
import { startTestStack, type Stack } from '../../helpers/stack.js';

// The whole path on the PGlite default, with the real server process: Kamailio appends the CDR to
// HOME/pbx/cdr, the running server ingests it and updates the budget firm's consumption record,
// which the apps pull. Checked in the server's own database once it has stopped.
let home: TestHome;
let stack: Stack;
let alice: SipApp;
let caller: Baresip;

beforeAll(async () => {
  home = createTestHome();
  home.writeDirectory({
    version: 1,
    tenants: [{ id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] }],
    users: [{ id: 'alice', name: 'Alice', role: 'teleworker', tenants: ['mueller'], certificates: [] }],
  });
  // The office lead's contract, as `tenant contract` writes it before the server runs.
  const today = berlinDate(new Date().toISOString());
  const contract: BudgetContract = {
    model: 'budget',
    period: 'month',
    includedMinutes: 10,
    feeCents: 9900,
    extraMinuteCents: 150,
    takt: { firstSeconds: 60, nextSeconds: 60 },
    countHold: true,
    countAfterCallWork: false,
    freeBelowSeconds: 0,
    vatBasisPoints: 1900,
    validFrom: `${today.slice(0, 8)}01`,
  };
  const db = await PgliteDatabase.open(homeLayout(home.home).dbDir);
  await migrate(db);
  await writeContract(db, '5656565656565656', 'mueller', contract);
  await db.close();
  const cert = home.issue('alice');
  stack = await startTestStack(home.home, { server: true });
  alice = openSipApp({
    user: 'alice',
    domain: stack.info.sipDomain,
    url: () => stack.info.pbxWss,
    tls: { pfx: cert.pfx, passphrase: cert.passphrase, ca: home.caPem },
    logHome: home.home,
  });
  expect(await alice.register()).toBe('SIP/2.0 200 OK');
  caller = await startBaresip({ user: '+4917612345678', domain: stack.info.sipDomain, pbxPort: stack.info.ports.udp });
}, 240_000);

afterAll(async () => {
  alice?.close();
  await caller?.stop();
  await stack?.stop();
  if (home) rmSync(home.home, { recursive: true, force: true });
});

describe('the running server meters the PBX’s calls', () => {
  it('ingests the CDR file and publishes the firm’s budget consumption', async () => {
    const mark = caller.events.length;
    await caller.command('dial', `sip:+49301234567@${stack.info.sipDomain}`);
    const callId = await alice.answerNext();
    await caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await caller.command('hangup');
    await caller.waitForEvent('CALL_CLOSED', 8000, mark);
    // The server reads the file every second and publishes right after; give a loaded machine time.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await stack.stopServer();

    const db = await PgliteDatabase.open(homeLayout(home.home).dbDir);
    try {
      const { rows: cdrs } = await db.query<{ call_id: string; user_id: string; direction: string }>(
        'SELECT call_id, user_id, direction FROM pbx_cdr',
      );
      expect(cdrs).toEqual([{ call_id: callId, user_id: 'alice', direction: 'in' }]);
      const { rows } = await db.query<{ field: string; value: unknown }>(
        "SELECT field, value FROM field_state WHERE tbl = 'firm_usage' AND tenant = 'mueller'",
      );
      const usage = Object.fromEntries(rows.map((r) => [r.field, r.value]));
      // One call of about 1.5 s, billed as one minute of the ten included.
      expect(usage).toMatchObject({ used_seconds: '60', included_seconds: '600', percent: '10' });
    } finally {
      await db.close();
    }
  }, 90_000);
});
