import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncErrorBody, encodeSchedulePart, formatVersion, scheduleFromFields } from '../../../protocol/index.js';
import { firmScheduleRecordId } from '../../../server/sync/firm-schedule-id.js';
import { BACKENDS, rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';
import { pushBody } from '../../helpers/sync-wire.js';

/**
 * A firm's schedule syncs field by field like every record; the server checks each part against the
 * protocol's schemas and lets only the firm's own craftsmen write it (carl: craftsman of tischlerei;
 * anna and ben: teleworkers of both firms).
 */
describe.each(BACKENDS)('the firm schedule against the real server on %s', (backend) => {
  let f: SyncFixture;
  const tischlerei = firmScheduleRecordId('tischlerei');
  const sanitaer = firmScheduleRecordId('sanitaer');
  const override = encodeSchedulePart('override', { mode: 'consultation', until: '2026-12-08T11:00:00Z' });
  const started = (user: string) => {
    const c = f.client(user);
    c.engine.start();
    return c;
  };
  beforeAll(async () => {
    f = await syncFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  it("syncs a craftsman's override of his own firm to a colleague, next to the office's other parts", async () => {
    const carl = started('carl');
    const anna = started('anna');
    const weekly = encodeSchedulePart('consultation', { tue: [{ start: '08:00', end: '12:00' }] });
    carl.store.write('firm_schedule', tischlerei, 'tischlerei', 'bundesland', '"BY"');
    carl.store.write('firm_schedule', tischlerei, 'tischlerei', 'consultation', weekly);
    carl.store.write('firm_schedule', tischlerei, 'tischlerei', 'override', override);
    await carl.engine.syncNow();
    expect(carl.engine.status()).toMatchObject({ pending: 0, quarantined: 0, lastError: null });
    await anna.engine.syncNow();
    expect(anna.store.get('firm_schedule', tischlerei, 'override')).toBe(override);
    const schedule = scheduleFromFields({
      bundesland: anna.store.get('firm_schedule', tischlerei, 'bundesland'),
      consultation: anna.store.get('firm_schedule', tischlerei, 'consultation'),
      override: anna.store.get('firm_schedule', tischlerei, 'override'),
    });
    expect(schedule?.override).toEqual({ mode: 'consultation', until: '2026-12-08T11:00:00Z' });
    expect(schedule?.consultation.tue).toEqual([{ start: '08:00', end: '12:00' }]);
  });

  it("refuses a craftsman's write to another firm's schedule and a teleworker's to any (403, quarantined)", async () => {
    const carl = started('carl');
    const ben = started('ben');
    carl.store.write('firm_schedule', sanitaer, 'sanitaer', 'override', override);
    await carl.engine.syncNow();
    expect(carl.engine.quarantined(10)).toEqual([
      expect.objectContaining({
        table: 'firm_schedule',
        tenant: 'sanitaer',
        field: 'override',
        status: 403,
        code: 'forbidden_tenant',
      }),
    ]);
    ben.store.write('firm_schedule', tischlerei, 'tischlerei', 'override', encodeSchedulePart('override', null));
    await ben.engine.syncNow();
    expect(ben.engine.quarantined(10)).toEqual([
      expect.objectContaining({ table: 'firm_schedule', tenant: 'tischlerei', status: 403, code: 'schedule_read_only' }),
    ]);
    // Neither reached the server: a fresh reader still sees carl's override and no sanitaer schedule.
    const anna = started('anna');
    await anna.engine.syncNow();
    expect(anna.store.get('firm_schedule', tischlerei, 'override')).toBe(override);
    expect(anna.store.get('firm_schedule', sanitaer, 'override')).toBeUndefined();
  });

  it('answers 400 invalid_schedule naming the field for a value that is not its part, or a record not the firm’s', async () => {
    const version = formatVersion(Date.now(), 0, '00000000000000aa');
    const push = (id: string, field: string, value: unknown) =>
      rawRequest(
        f.url,
        f.tls('carl'),
        'POST',
        '/sync/push',
        JSON.stringify(pushBody([{ table: 'firm_schedule', id, tenant: 'tischlerei', field, value, version }])),
      );
    const overlap = JSON.stringify({
      mon: [
        { start: '08:00', end: '13:30' },
        { start: '13:00', end: '17:00' },
      ],
    });
    for (const [id, field, value, message] of [
      [tischlerei, 'consultation', overlap, 'overlap'],
      [tischlerei, 'bundesland', '"XX"', 'bundesland'],
      [tischlerei, 'override', '{not json', 'not valid JSON'],
      [tischlerei, 'closures', ['2026-12-24'], 'JSON text'],
      [sanitaer, 'bundesland', '"BY"', tischlerei],
    ] as const) {
      const answer = await push(id, field, value);
      expect(answer.status, `${field} ${JSON.stringify(value)}`).toBe(400);
      const { error } = SyncErrorBody.parse(answer.json);
      expect(error.code).toBe('invalid_schedule');
      expect(error.message).toContain(message);
      expect(error.item).toBe(id === tischlerei ? `tischlerei/firm_schedule/${id}/${field}` : `tischlerei/firm_schedule/${id}`);
    }
  });
});
