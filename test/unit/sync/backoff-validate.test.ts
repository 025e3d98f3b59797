import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../electron/core/sync/backoff.js';
import { formatVersion, MAX_PUSH_CHANGES } from '../../../protocol/index.js';
import { SyncHttpError } from '../../../server/sync/errors.js';
import { validatePush } from '../../../server/sync/validate-push.js';

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 5000 };
  it('doubles per failure within [ceiling/2, ceiling] and stays under the cap', () => {
    expect(backoffDelay(0, options, () => 0.5)).toBe(0);
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(4, options, () => 1)).toBe(800);
    expect(backoffDelay(50, options, () => 1)).toBe(5000);
    expect(backoffDelay(50, options, () => 0)).toBe(2500);
  });
  it('spreads clients apart (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(5, options)));
    expect(delays.size).toBeGreaterThan(5);
  });
});

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

  it('accepts a valid batch and returns the parsed changes', () => {
    const c = ok();
    expect(validatePush({ changes: [c] }, () => true, now)).toEqual([c]);
  });
  it('names the offending item and field', () => {
    expect(refuse({ changes: [ok(), { ...ok(), value: { nested: true } }] })).toMatchObject({
      status: 400,
      item: 1,
      message: expect.stringContaining('changes[1].value') as unknown,
    });
    expect(refuse({ changes: [{ ...ok(), field: 'x'.repeat(65) }] })).toMatchObject({ status: 400, item: 0 });
    expect(refuse([ok()])).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(refuse(null)).toMatchObject({ status: 400 });
  });
  it('allows exactly 24 h of clock skew, not more', () => {
    expect(
      validatePush(
        { changes: [{ ...ok(), version: formatVersion(now + 24 * 3600_000, 0, '0123456789abcdef') }] },
        () => true,
        now,
      ),
    ).toHaveLength(1);
    expect(
      refuse({ changes: [{ ...ok(), version: formatVersion(now + 24 * 3600_000 + 1, 0, '0123456789abcdef') }] }),
    ).toMatchObject({ code: 'version_in_future' });
  });
  it('limits the batch size with 413', () => {
    expect(refuse({ changes: Array.from({ length: MAX_PUSH_CHANGES + 1 }, ok) })).toMatchObject({ status: 413 });
    expect(validatePush({ changes: Array.from({ length: MAX_PUSH_CHANGES }, ok) }, () => true, now)).toHaveLength(
      MAX_PUSH_CHANGES,
    );
  });
  it('refuses tenants the caller may not serve with 403', () => {
    expect(refuse({ changes: [ok()] }, false)).toMatchObject({ status: 403, code: 'forbidden_tenant', item: 0 });
  });
});
