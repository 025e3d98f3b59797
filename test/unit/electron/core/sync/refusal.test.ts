import { describe, expect, it } from 'vitest';
import { PushNarrowing, SUSPECT_AFTER, isServerFault } from '../../../../../electron/core/sync/narrowing.js';
import { refusalAction } from '../../../../../electron/core/sync/refusal.js';
import { SyncRequestError } from '../../../../../electron/core/sync/sync-client.js';
import type { PendingChange } from '../../../../../electron/core/sync/store-port.js';
import type { Change } from '../../../../../protocol/index.js';

const ID_A = '0b7c1c9e-5d0e-4b8e-9a53-2f4c1f0f6a11';
const ID_B = '1c7c1c9e-5d0e-4b8e-9a53-2f4c1f0f6a11';
let next = 1;
function pending(overrides: Partial<Change> = {}): PendingChange {
  return {
    outboxId: next++,
    change: {
      table: 'note',
      id: ID_A,
      tenant: 'tischlerei',
      field: 'body',
      value: 'x',
      version: '001764163200000-00000-3f2a9c01d4e5b6a7',
      ...overrides,
    },
  };
}
const refused = (code: string, status: number, item?: string) => new SyncRequestError(code, `${code}!`, status, item);

describe('refusalAction', () => {
  const a = pending();
  const aOlder = pending();
  const aCity = pending({ field: 'city' });
  const b = pending({ id: ID_B });
  const other = pending({ tenant: 'sanitaer', id: ID_B });
  const batch = [a, aOlder, aCity, b, other];

  it('quarantines exactly the entries under the refused field, older writes of it included', () => {
    expect(refusalAction(refused('nul_character', 400, `tischlerei/note/${ID_A}/body`), batch)).toEqual({
      kind: 'quarantine',
      outboxIds: [a.outboxId, aOlder.outboxId],
    });
  });

  it('quarantines every entry under a refused record or tenant, and not a prefix that only looks alike', () => {
    expect(refusalAction(refused('tenant_mismatch', 403, `tischlerei/note/${ID_A}`), batch)).toEqual({
      kind: 'quarantine',
      outboxIds: [a.outboxId, aOlder.outboxId, aCity.outboxId],
    });
    expect(refusalAction(refused('forbidden_tenant', 403, 'sanitaer'), batch)).toEqual({
      kind: 'quarantine',
      outboxIds: [other.outboxId],
    });
    // "tischler" is not "tischlerei": a path matches whole segments only
    expect(refusalAction(refused('forbidden_tenant', 403, 'tischler'), batch)).toEqual({ kind: 'keep' });
  });

  it('halves a batch refused as a whole, down to one entry, which it then quarantines', () => {
    expect(refusalAction(refused('too_many_changes', 413), batch)).toEqual({ kind: 'shrink', limit: 2 });
    expect(refusalAction(refused('body_too_large', 413), [a, b])).toEqual({ kind: 'shrink', limit: 1 });
    expect(refusalAction(refused('body_too_large', 413), [b])).toEqual({ kind: 'quarantine', outboxIds: [b.outboxId] });
    // a body the server could not read as UTF-8 names no field: narrowed the same way
    expect(refusalAction(refused('invalid_utf8', 400), [a, b, other])).toEqual({ kind: 'shrink', limit: 1 });
    expect(refusalAction(refused('invalid_utf8', 400), [other])).toEqual({ kind: 'quarantine', outboxIds: [other.outboxId] });
  });

  it('keeps everything for refusals that are not about the changes, or name nothing in this batch', () => {
    expect(refusalAction(refused('unknown_user', 403), batch)).toEqual({ kind: 'keep' });
    expect(refusalAction(refused('certificate_revoked', 403), batch)).toEqual({ kind: 'keep' });
    expect(refusalAction(refused('invalid_change', 400, `tischlerei/note/${ID_B}/subject`), batch)).toEqual({ kind: 'keep' });
  });
});

describe('PushNarrowing', () => {
  const server500 = new SyncRequestError('internal', 'internal server error', 500);
  const batchOf = (n: number) => Array.from({ length: n }, () => pending());

  it('counts only answers of a failing server, not outages', () => {
    expect(isServerFault(server500)).toBe(true);
    expect(isServerFault(new SyncRequestError('bad_response', 'garbage', 502))).toBe(true);
    expect(isServerFault(new SyncRequestError('database_unavailable', 'away', 503))).toBe(false);
    expect(isServerFault(new SyncRequestError('storage_full', 'disk full', 507))).toBe(false);
    expect(isServerFault(new SyncRequestError('network', 'ECONNREFUSED'))).toBe(false);
    const n = new PushNarrowing();
    const batch = batchOf(8);
    for (let i = 0; i < 10; i++) expect(n.failed(new SyncRequestError('network', 'down'), batch)).toEqual({ kind: 'back_off' });
    expect(n.narrowing).toBe(false);
  });

  it('backs off for the first server errors, then halves, tries a single entry twice and isolates it', () => {
    const n = new PushNarrowing();
    const batch = batchOf(8);
    for (let i = 1; i < SUSPECT_AFTER; i++) expect(n.failed(server500, batch)).toEqual({ kind: 'back_off' });
    expect(n.failed(server500, batch)).toEqual({ kind: 'shrink', limit: 4 });
    expect(n.failed(server500, batch.slice(0, 4))).toEqual({ kind: 'shrink', limit: 2 });
    n.succeeded(); // the first two passed; still narrowing
    expect(n.narrowing).toBe(true);
    expect(n.failed(server500, batch.slice(2, 4))).toEqual({ kind: 'shrink', limit: 1 });
    expect(n.failed(server500, [batch[2]!])).toEqual({ kind: 'shrink', limit: 1 });
    expect(n.failed(server500, [batch[2]!])).toEqual({ kind: 'isolate', outboxIds: [batch[2]!.outboxId] });
    n.drained();
    expect(n.narrowing).toBe(false);
    expect(n.failed(server500, batch)).toEqual({ kind: 'back_off' });
  });

  it('does not isolate an entry that failed alone only once, nor after a success in between', () => {
    const n = new PushNarrowing();
    const [one, two] = batchOf(2);
    for (let i = 1; i < SUSPECT_AFTER; i++) n.failed(server500, [one!, two!]);
    expect(n.failed(server500, [one!])).toEqual({ kind: 'shrink', limit: 1 });
    n.succeeded();
    expect(n.failed(server500, [one!])).toEqual({ kind: 'shrink', limit: 1 });
    expect(n.failed(server500, [two!])).toEqual({ kind: 'shrink', limit: 1 });
    expect(n.failed(server500, [two!])).toEqual({ kind: 'isolate', outboxIds: [two!.outboxId] });
  });

  it('a success before the threshold forgets earlier server errors', () => {
    const n = new PushNarrowing();
    const batch = batchOf(4);
    for (let i = 1; i < SUSPECT_AFTER; i++) n.failed(server500, batch);
    n.succeeded();
    for (let i = 1; i < SUSPECT_AFTER; i++) expect(n.failed(server500, batch)).toEqual({ kind: 'back_off' });
  });
});
