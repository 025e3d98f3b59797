import { describe, expect, it } from 'vitest';
import { formatVersion, MAX_CLOCK_SKEW_MS, parseVersion } from '../../../../../protocol/index.js';
import { openStore } from '../../../../helpers/unit-store.js';

const T = 1_764_163_200_000;
const DAY = 86_400_000;

/** A store on a clock the test sets: first a day ahead, then corrected (as once the server has answered). */
function storeOnClock() {
  const clock = { ms: T + DAY };
  const { store, file } = openStore(undefined, { now: () => new Date(clock.ms) });
  return { store, clock, file };
}

describe('re-stamping changes written on a clock ahead', () => {
  it('does nothing, and touches no version, while the clock agrees with its time source', () => {
    const { store } = storeOnClock();
    store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    const before = store.sync.pendingChanges(10);
    expect(store.sync.restamp()).toBe(0);
    expect(store.sync.pendingChanges(10)).toEqual(before);
  });

  it('stamps every pending change again in write order, in corrected time, with the field versions following', () => {
    const { store, clock } = storeOnClock();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    store.contacts.update(c.id, { city: 'Köln' });
    store.contacts.update(c.id, { city: 'Bonn' });
    const before = store.sync.pendingChanges(10);
    expect(before.map((p) => parseVersion(p.change.version).ms)).toEqual([T + DAY, T + DAY, T + DAY]);

    clock.ms = T;
    expect(store.sync.restamp()).toBe(3);
    const after = store.sync.pendingChanges(10);
    expect(after.map((p) => [p.outboxId, p.change.field, p.change.value])).toEqual(
      before.map((p) => [p.outboxId, p.change.field, p.change.value]),
    );
    const versions = after.map((p) => p.change.version);
    expect(versions.every((v) => parseVersion(v).ms === T)).toBe(true);
    // the later write of a field keeps the greater version: the engine sends "Bonn", not "Köln"
    expect([...versions].sort()).toEqual(versions);
    expect(store.writer.version('contact', c.id, 'city')).toBe(after[2]!.change.version);
    expect(store.writer.version('contact', c.id, 'name')).toBe(after[0]!.change.version);
    // the next local write sorts after all of them, in corrected time
    store.contacts.update(c.id, { email: 'anna@example.de' });
    const next = store.sync.pendingChanges(10)[3]!.change.version;
    expect(next > versions[2]!).toBe(true);
    expect(parseVersion(next).ms).toBeLessThanOrEqual(T + MAX_CLOCK_SKEW_MS);
    expect(store.sync.restamp()).toBe(0);
  });

  it('keeps the corrected clock across a restart, and leaves a pulled newer field version alone', () => {
    const { store, clock, file } = storeOnClock();
    const c = store.contacts.create({ tenant: 't1', name: 'Anna', phones: [] });
    // someone else's city has arrived meanwhile: only the outbox entry (the name) is re-stamped
    const remote = formatVersion(T + DAY + 5, 0, 'bbbbbbbbbbbbbbbb');
    store.sync.applyPulled(
      [{ table: 'contact', id: c.id, tenant: 't1', field: 'city', value: 'Ulm', version: remote, author: 'ben' }],
      '1',
    );
    clock.ms = T;
    expect(store.sync.restamp()).toBe(1);
    expect(store.writer.version('contact', c.id, 'city')).toBe(remote);
    store.close();
    const { store: reopened } = openStore(file, { now: () => new Date(clock.ms) });
    expect(reopened.sync.restamp()).toBe(0);
    expect(parseVersion(reopened.sync.pendingChanges(10)[0]!.change.version).ms).toBe(T);
  });
});
