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
});
