import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatVersion,
  fromWireVersion,
  MAX_CLOCK_SKEW_MS,
  MAX_PUSH_CHANGES,
  toWireVersion,
} from '../../../../protocol/index.js';
import { SyncHttpError } from '../../../../server/sync/errors.js';
import { firmScheduleRecordId } from '../../../../server/sync/firm-schedule-id.js';
import { validatePush } from '../../../../server/sync/validate-push.js';
import { pushBody } from '../../../helpers/sync-wire.js';

describe('validatePush', () => {
  const now = Date.UTC(2026, 0, 1);
  const ok = () => ({
    table: 'note',
    id: randomUUID(),
    tenant: 'tischlerei',
    field: 'body',
    value: 'x',
    version: formatVersion(now, 0, '0123456789abcdef'),
  });
  const refuse = (body: unknown, mayServe = true) => {
    try {
      validatePush(body, () => mayServe, now);
    } catch (error) {
      expect(error).toBeInstanceOf(SyncHttpError);
      const e = error as SyncHttpError;
      return { status: e.status, code: e.code, item: e.item, message: e.message };
    }
    throw new Error('accepted');
  };

  it('accepts a valid batch and returns the flattened changes with canonical versions', () => {
    const a = ok();
    const b = { ...ok(), id: a.id, field: 'subject', value: null };
    expect(validatePush(pushBody([a, b]), () => true, now)).toEqual([a, b]);
  });
  it('encodes versions compactly and decodes them exactly', () => {
    const v = formatVersion(1_764_163_200_123, 42, '3f2a9c01d4e5b6a7');
    expect(toWireVersion(v)).toBe('mig17x4r.16.3f2a9c01d4e5b6a7');
    expect(fromWireVersion(toWireVersion(v))).toBe(v);
    expect(fromWireVersion('zzzzzzzzzz.0.3f2a9c01d4e5b6a7')).toBeUndefined();
    expect(fromWireVersion('1.zzzz.3f2a9c01d4e5b6a7')).toBeUndefined();
    expect(fromWireVersion('1.0.3F2A9C01D4E5B6A7')).toBeUndefined();
  });
  it('names the offending item by its path', () => {
    const bad = { ...ok(), value: { nested: true } };
    expect(refuse(pushBody([ok(), bad]))).toMatchObject({
      status: 400,
      item: `tischlerei/note/${bad.id}/body`,
      message: expect.stringContaining(`tischlerei/note/${bad.id}/body: value`) as unknown,
    });
    expect(refuse(pushBody([{ ...ok(), field: 'x'.repeat(65) }]))).toMatchObject({ status: 400, code: 'invalid_change' });
    expect(refuse({ changes: { tischlerei: { note: [] } } })).toMatchObject({ status: 400, item: 'tischlerei/note' });
    expect(refuse({ changes: [ok()] })).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(refuse(null)).toMatchObject({ status: 400 });
  });
  it('allows exactly MAX_CLOCK_SKEW_MS of clock skew, not more, and names its own time in the refusal', () => {
    expect(
      validatePush(
        pushBody([{ ...ok(), version: formatVersion(now + MAX_CLOCK_SKEW_MS, 0, '0123456789abcdef') }]),
        () => true,
        now,
      ),
    ).toHaveLength(1);
    const body = pushBody([{ ...ok(), version: formatVersion(now + MAX_CLOCK_SKEW_MS + 1, 0, '0123456789abcdef') }]);
    expect(refuse(body)).toMatchObject({ status: 400, code: 'version_in_future' });
    const refused = (() => {
      try {
        return validatePush(body, () => true, now);
      } catch (error) {
        return (error as SyncHttpError).toBody().error;
      }
    })();
    expect(refused).toMatchObject({ code: 'version_in_future', serverTime: now });
  });
  it('limits the batch size with 413, counting fields', () => {
    expect(refuse(pushBody(Array.from({ length: MAX_PUSH_CHANGES + 1 }, ok)))).toMatchObject({ status: 413 });
    expect(validatePush(pushBody(Array.from({ length: MAX_PUSH_CHANGES }, ok)), () => true, now)).toHaveLength(MAX_PUSH_CHANGES);
  });
  it('refuses tenants the caller may not serve with 403, naming the tenant', () => {
    expect(refuse(pushBody([ok()]), false)).toMatchObject({ status: 403, code: 'forbidden_tenant', item: 'tischlerei' });
  });
  describe('firm_schedule', () => {
    const schedule = (field: string, value: unknown, id = firmScheduleRecordId('tischlerei')) => ({
      table: 'firm_schedule',
      id,
      tenant: 'tischlerei',
      field,
      value,
      version: formatVersion(now, 0, '0123456789abcdef'),
    });
    const refuseSchedule = (change: ReturnType<typeof schedule>, mayWrite = true) => {
      try {
        validatePush(
          pushBody([change]),
          () => true,
          now,
          () => mayWrite,
        );
      } catch (error) {
        const e = error as SyncHttpError;
        return { status: e.status, code: e.code, item: e.item, message: e.message };
      }
      throw new Error('accepted');
    };

    it('accepts each part as its JSON text, and null', () => {
      const changes = [
        schedule('bundesland', '"NW"'),
        schedule('override', JSON.stringify({ mode: 'closed', until: null })),
        schedule('closures', JSON.stringify([{ from: '2026-12-24', to: '2026-12-31', reason: 'Betriebsurlaub' }])),
        schedule('emergency', null),
      ];
      expect(validatePush(pushBody(changes), () => true, now)).toEqual(changes);
    });

    it('refuses a value that is not its part with invalid_schedule naming the field and the fault', () => {
      const id = firmScheduleRecordId('tischlerei');
      expect(
        refuseSchedule(schedule('closures', JSON.stringify([{ from: '2026-12-31', to: '2026-12-24', reason: 'x' }]))),
      ).toMatchObject({
        status: 400,
        code: 'invalid_schedule',
        item: `tischlerei/firm_schedule/${id}/closures`,
        message: expect.stringContaining('must not be after the last') as unknown,
      });
      expect(refuseSchedule(schedule('bundesland', 'BY'))).toMatchObject({
        code: 'invalid_schedule',
        message: expect.stringContaining('not valid JSON') as unknown,
      });
      expect(refuseSchedule(schedule('consultation', 7))).toMatchObject({ code: 'invalid_schedule' });
    });

    it("refuses a record that is not the firm's one schedule", () => {
      const other = randomUUID();
      expect(refuseSchedule(schedule('bundesland', '"BY"', other))).toMatchObject({
        status: 400,
        code: 'invalid_schedule',
        item: `tischlerei/firm_schedule/${other}`,
      });
    });

    it('refuses a write by someone who may only read it with 403 schedule_read_only', () => {
      expect(refuseSchedule(schedule('bundesland', '"BY"'), false)).toMatchObject({
        status: 403,
        code: 'schedule_read_only',
        item: 'tischlerei/firm_schedule',
      });
    });
  });
});
