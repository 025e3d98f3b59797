import { describe, expect, it } from 'vitest';
import type { BillingContract } from '../../../../protocol/billing-contract.js';
import { HybridLogicalClock, type FieldValue } from '../../../../protocol/index.js';
import type { Directory } from '../../../../server/home/directory.js';
import { berlinDate, DbBillingSource } from '../../../../server/metering/billing-source.js';
import { insertCdrs } from '../../../../server/metering/cdr-store.js';
import type { CdrRecord } from '../../../../server/metering/cdr-file.js';
import { writeContract } from '../../../../server/metering/contracts.js';
import { WRITE_LOCK, writeFields } from '../../../../server/sync/field-writes.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const NODE = '7a7a7a7a7a7a7a7a';
const directory: Directory = {
  version: 1,
  tenants: [
    { id: 'mueller', name: 'Schreinerei Müller', numbers: ['+49 30 1234567'] },
    { id: 'schmidt', name: 'Sanitär Schmidt', numbers: ['+49 40 7654321'] },
  ],
  users: [
    { id: 'alice', name: 'Alice Abel', role: 'teleworker', tenants: ['mueller', 'schmidt'], certificates: [] },
    { id: 'lena', name: 'Lena Lang', role: 'lead', tenants: [], certificates: [] },
  ],
};

// 2026-11-03 09:00:00 UTC
const T0 = Date.UTC(2026, 10, 3, 9, 0, 0) / 1000;
function cdr(over: Partial<CdrRecord> & { callId: string }): CdrRecord {
  return {
    start: T0,
    end: T0 + 100,
    duration: 100,
    direction: 'in',
    firmNumber: '+49301234567',
    tenant: 'mueller',
    remoteNumber: '+4917612345678',
    userId: 'alice',
    inviteTs: `${T0}.250000`,
    answerTs: `${T0 + 4}.750000`,
    endTs: `${T0 + 65}.700000`,
    mode: null,
    ...over,
  };
}

const clock = new HybridLogicalClock('0b0b0b0b0b0b0b0b');
async function record(
  db: ReturnType<typeof migratedPglite>['db'],
  table: 'call' | 'note' | 'contact' | 'appointment' | 'billing_item',
  tenant: string,
  id: string,
  fields: Record<string, FieldValue>,
) {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    await writeFields(
      tx,
      Object.entries(fields).map(([field, value]) => ({ table, id, tenant, field, value, version: clock.tick() })),
      'alice',
    );
  });
}

const perMinute: BillingContract = {
  model: 'per_minute',
  perMinuteCents: 120,
  takt: { firstSeconds: 60, nextSeconds: 10 },
  countHold: false,
  countAfterCallWork: true,
  freeBelowSeconds: 5,
  vatBasisPoints: 1900,
  validFrom: '2026-11-01',
  appointmentCents: 250,
};

describe('DbBillingSource', () => {
  const pglite = migratedPglite('vermittlung-billing-source-');
  const source = () => new DbBillingSource(pglite.db, () => directory);

  it('builds a call line from the CDR and the app facts synced under the same Call-ID', async () => {
    await insertCdrs(pglite.db, [
      cdr({ callId: 'c1@pbx' }),
      // The trunk delivered the national form: still Müller's number.
      cdr({
        callId: 'c2@pbx',
        firmNumber: '0301234567',
        inviteTs: `${T0 + 600}`,
        answerTs: null,
        endTs: null,
        end: T0 + 620,
        userId: null,
      }),
      // Another firm's call, and one of Müller's in December.
      cdr({ callId: 'c3@pbx', firmNumber: '+49407654321', tenant: 'schmidt' }),
      cdr({ callId: 'c4@pbx', inviteTs: `${Date.UTC(2026, 11, 1, 10) / 1000}` }),
      // Out on Müller's behalf.
      cdr({
        callId: 'c5@pbx',
        direction: 'out',
        remoteNumber: '+4915199887766',
        inviteTs: `${T0 + 900}`,
        answerTs: `${T0 + 910}`,
        endTs: `${T0 + 970}`,
      }),
    ]);
    await record(pglite.db, 'contact', 'mueller', '00000000-0000-4000-8000-000000000001', { name: 'Kunde Meier' });
    const appCall = '00000000-0000-4000-8000-0000000000c1';
    await record(pglite.db, 'call', 'mueller', appCall, {
      pbx_call_id: 'c1@pbx',
      outcome: 'answered',
      contact_id: '00000000-0000-4000-8000-000000000001',
      hold_seconds: '12',
      after_call_work_seconds: '40',
      app_talk_seconds: '58',
      no_bill_reason: 'Spam',
    });
    // A colleague's app that only rang: a record without facts loses to the one that answered.
    await record(pglite.db, 'call', 'mueller', '00000000-0000-4000-8000-0000000000c9', {
      pbx_call_id: 'c1@pbx',
      outcome: 'missed',
    });
    await record(pglite.db, 'note', 'mueller', '00000000-0000-4000-8000-0000000000a1', {
      call_id: appCall,
      subject: 'Fenster klemmt',
    });

    const lines = await source().callLines('mueller', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z');
    expect(lines.map((l) => l.callId)).toEqual(['c1@pbx', 'c2@pbx', 'c5@pbx']);
    expect(lines[0]).toEqual({
      callId: 'c1@pbx',
      tenantId: 'mueller',
      direction: 'in',
      startedAt: '2026-11-03T09:00:00.250Z',
      remoteNumber: '+4917612345678',
      remoteName: 'Kunde Meier',
      answeredBy: 'alice',
      answeredByName: 'Alice Abel',
      // 4.5 s ringing rounds to 5, 60.95 s connected to 61.
      ringSeconds: 5,
      talkSeconds: 61,
      holdSeconds: 12,
      afterCallWorkSeconds: 40,
      appTalkSeconds: 58,
      noBill: { reason: 'Spam', confirmedBy: null },
      noteSubject: 'Fenster klemmt',
    });
    // Unanswered: rang until acc's end, no user, no talk, no app facts.
    expect(lines[1]).toMatchObject({
      answeredBy: null,
      answeredByName: null,
      ringSeconds: 20,
      talkSeconds: 0,
      appTalkSeconds: null,
      noBill: null,
    });
    expect(lines[2]).toMatchObject({
      direction: 'out',
      remoteNumber: '+4915199887766',
      answeredBy: 'alice',
      ringSeconds: 10,
      talkSeconds: 60,
    });
    expect(await source().callLines('schmidt', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toHaveLength(1);
    expect(await source().callLines('unknown', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([]);
  });

  it('keeps every contract version, oldest first, and a rewrite of one version replaces only it', async () => {
    await writeContract(pglite.db, NODE, 'mueller', perMinute);
    await writeContract(pglite.db, NODE, 'mueller', { ...perMinute, validFrom: '2026-11-16', perMinuteCents: 100 });
    await writeContract(pglite.db, NODE, 'mueller', { ...perMinute, validFrom: '2026-11-16', perMinuteCents: 90 });
    const versions = await source().contracts('mueller');
    expect(versions.map((v) => [v.contract.validFrom, v.contract.model === 'per_minute' && v.contract.perMinuteCents])).toEqual([
      ['2026-11-01', 120],
      ['2026-11-16', 90],
    ]);
    expect(await source().contracts('schmidt')).toEqual([]);
  });

  it('lists appointments at the price of the contract valid on their day, and the lead’s items', async () => {
    await record(pglite.db, 'appointment', 'mueller', '00000000-0000-4000-8000-0000000000b1', {
      starts_at: '2026-11-30T23:30:00Z',
      subject: 'Aufmaß',
      status: 'planned',
    });
    await record(pglite.db, 'appointment', 'mueller', '00000000-0000-4000-8000-0000000000b2', {
      starts_at: '2026-11-10T10:00:00Z',
      subject: 'Abgesagt',
      status: 'cancelled',
    });
    await record(pglite.db, 'billing_item', 'mueller', '00000000-0000-4000-8000-0000000000d1', {
      date: '2026-11-12',
      description: 'Briefversand',
      quantity: '3',
      unit_cents: '95',
    });
    // 23:30 UTC on 30 November is 1 December in Berlin: not November's.
    expect(berlinDate('2026-11-30T23:30:00Z')).toBe('2026-12-01');
    expect(await source().itemLines('mueller', '2026-11-01', '2026-12-01')).toEqual([
      {
        id: '00000000-0000-4000-8000-0000000000d1',
        tenantId: 'mueller',
        date: '2026-11-12',
        kind: 'item',
        description: 'Briefversand',
        quantity: 3,
        unitCents: 95,
      },
    ]);
    expect(await source().itemLines('mueller', '2026-12-01', '2027-01-01')).toEqual([
      {
        id: '00000000-0000-4000-8000-0000000000b1',
        tenantId: 'mueller',
        date: '2026-12-01',
        kind: 'appointment',
        description: 'Aufmaß',
        quantity: 1,
        unitCents: 250,
      },
    ]);
  });
});
