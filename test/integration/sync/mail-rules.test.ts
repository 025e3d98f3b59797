import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../../protocol/index.js';
import type { Directory } from '../../../server/home/directory.js';
import { BACKENDS } from '../../helpers/sync-fixture.js';
import { ROLES_DIRECTORY, openSyncServiceRig, type SyncServiceRig } from '../../helpers/sync-service-rig.js';
import { flatPulled, pushBody, type LooseChange } from '../../helpers/sync-wire.js';

// The mail register's rules held by the server, whatever a client sends (docs/security.md).
const DIRECTORY: Directory = {
  ...ROLES_DIRECTORY,
  users: [...ROLES_DIRECTORY.users, { id: 'dora', name: 'Dora', role: 'craftsman', tenants: ['sanitaer'], certificates: [] }],
};

describe.each(BACKENDS)('the mail register through the sync API on %s', (backend) => {
  let rig: SyncServiceRig;
  const clock = new HybridLogicalClock('cdcdcdcdcdcdcdcd');
  const as = (cn: string) => rig.as(cn);
  const field =
    (id: string, tenant = 'tischlerei') =>
    (f: string, value: string | null): LooseChange => ({
      table: 'mail_item',
      id,
      tenant,
      field: f,
      value,
      version: clock.tick(),
    });
  const refusal = (cn: string, changes: LooseChange[]) => rig.push(cn, changes);
  const register = async (kind: string, tenant = 'tischlerei') => {
    const id = randomUUID();
    const f = field(id, tenant);
    await rig.sync.push(
      as('anna'),
      pushBody([
        f('received_on', '2026-12-01'),
        f('received_log', '[]'),
        f('sender', 'Amtsgericht'),
        f('kind', kind),
        f('status', 'eingegangen'),
        f('status_log', JSON.stringify([{ status: 'eingegangen', by: 'anna', at: '2026-12-01T09:00:00.000Z' }])),
      ]),
    );
    return { id, f };
  };

  beforeAll(async () => {
    rig = await openSyncServiceRig('mail-rules', { directory: DIRECTORY, backend });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses vernichtet on an Einschreiben until its craftsman confirmed, in one push or over two', async () => {
    const { id, f } = await register('einschreiben');
    expect(await refusal('anna', [f('status', 'erledigt'), f('disposition', 'vernichtet')])).toEqual({
      status: 403,
      code: 'mail_destroy_unconfirmed',
      item: `tischlerei/mail_item/${id}/disposition`,
    });
    // Nor by turning an archived letter into an Einschreiben after the paper went.
    const brief = await register('brief');
    expect(await refusal('anna', [brief.f('disposition', 'vernichtet')])).toBe('accepted');
    expect(await refusal('anna', [brief.f('kind', 'gericht')])).toMatchObject({ status: 403, code: 'mail_destroy_unconfirmed' });
    // The confirmation is the craftsman's own: not the office's, not in another's name.
    expect(await refusal('anna', [f('disposal_confirmed_by', 'carl')])).toMatchObject({
      status: 403,
      code: 'schedule_read_only',
    });
    expect(await refusal('carl', [f('disposal_confirmed_by', 'lena')])).toMatchObject({
      status: 403,
      code: 'mail_confirm_foreign',
    });
    expect(await refusal('carl', [f('disposal_confirmed_by', 'carl')])).toBe('accepted');
    expect(await refusal('anna', [f('status', 'erledigt'), f('disposition', 'vernichtet')])).toBe('accepted');
    // A Behörde item with the confirmation in the same push is taken too.
    const amt = await register('behoerde');
    expect(await refusal('carl', [amt.f('disposal_confirmed_by', 'carl'), amt.f('disposition', 'vernichtet')])).toBe('accepted');
  });

  it('refuses a changed date of receipt without a log entry that leads to it with a reason', async () => {
    const { id, f } = await register('brief');
    const entry = (to: string, reason: string) => ({
      from: '2026-12-01',
      to,
      reason,
      by: 'anna',
      at: '2026-12-02T09:00:00.000Z',
    });
    expect(await refusal('anna', [f('received_on', '2026-11-28')])).toEqual({
      status: 400,
      code: 'mail_receipt_reason',
      item: `tischlerei/mail_item/${id}/received_on`,
    });
    expect(
      await refusal('anna', [f('received_on', '2026-11-28'), f('received_log', JSON.stringify([entry('2026-11-28', ' ')]))]),
    ).toMatchObject({
      code: 'mail_receipt_reason',
    });
    expect(
      await refusal('anna', [
        f('received_on', '2026-11-28'),
        f('received_log', JSON.stringify([entry('2026-11-27', 'Stempel')])),
      ]),
    ).toMatchObject({
      code: 'mail_receipt_reason',
    });
    // The log pushed first, the day after (a push cut in two): the stored entry counts.
    expect(await refusal('anna', [f('received_log', JSON.stringify([entry('2026-11-28', 'Poststempel')]))])).toBe('accepted');
    expect(await refusal('anna', [f('received_on', '2026-11-28')])).toBe('accepted');
    // Pushing the same day again is no change.
    expect(await refusal('anna', [f('received_on', '2026-11-28')])).toBe('accepted');
  });

  it('refuses values the register could not read, naming the field', async () => {
    const { id, f } = await register('brief');
    expect(await refusal('anna', [f('kind', 'steuer')])).toEqual({
      status: 400,
      code: 'invalid_mail_item',
      item: `tischlerei/mail_item/${id}/kind`,
    });
    expect(await refusal('anna', [f('received_on', '1.12.2026')])).toMatchObject({ status: 400, code: 'invalid_mail_item' });
    expect(await refusal('anna', [f('status_log', '{"status":')])).toMatchObject({ status: 400, code: 'invalid_mail_item' });
    expect(await refusal('anna', [f('status_log', JSON.stringify([{ status: 'erledigt' }]))])).toMatchObject({
      status: 400,
      code: 'invalid_mail_item',
    });
    expect(await refusal('anna', [f('deadline', null), f('disposition', null), f('subject', null)])).toBe('accepted');
  });

  it('lets the craftsman write only his fields and the status flow of his own firm’s mail', async () => {
    const { f } = await register('brief');
    expect(await refusal('carl', [f('read_at', '2026-12-02T08:00:00.000Z')])).toBe('accepted');
    expect(await refusal('carl', [f('status', 'erledigt'), f('status_log', '[]'), f('disposition', 'archiviert')])).toBe(
      'accepted',
    );
    expect(await refusal('carl', [f('sender', 'jemand')])).toMatchObject({ status: 403, code: 'schedule_read_only' });
    expect(await refusal('anna', [f('read_at', '2026-12-02T08:00:00.000Z')])).toMatchObject({
      status: 403,
      code: 'schedule_read_only',
    });
    expect(await refusal('lena', [f('subject', 'Mahnung')])).toBe('accepted');
    const other = await register('brief', 'sanitaer');
    expect(await refusal('carl', [other.f('read_at', '2026-12-02T08:00:00.000Z')])).toMatchObject({
      status: 403,
      code: 'forbidden_tenant',
    });
    const pulled = async (cn: string) =>
      new Set(
        flatPulled(await rig.sync.pull(as(cn), {}))
          .filter((c) => c.table === 'mail_item')
          .map((c) => c.tenant),
      );
    expect(await pulled('carl')).toEqual(new Set(['tischlerei']));
    expect(await pulled('dora')).toEqual(new Set(['sanitaer']));
  });
});
