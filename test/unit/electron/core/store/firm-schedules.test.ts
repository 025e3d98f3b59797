import { describe, expect, it } from 'vitest';
import { HostError, encodeSchedulePart, formatVersion, type PulledChange } from '../../../../../protocol/index.js';
import { FirmScheduleRepository, firmScheduleRecordId } from '../../../../../electron/core/store/firm-schedules.js';
import { firmScheduleRecordId as serverRecordId } from '../../../../../server/sync/firm-schedule-id.js';
import { openStore } from '../../../../helpers/unit-store.js';

const REMOTE = 'aaaaaaaaaaaaaaaa';
const version = (counter: number) => formatVersion(Date.now() + 60_000, counter, REMOTE);
const pulled = (field: string, value: string, counter: number, tenant = 'glaserei'): PulledChange => ({
  table: 'firm_schedule',
  id: firmScheduleRecordId(tenant),
  tenant,
  field,
  value,
  version: version(counter),
  author: 'server',
});

/** The craftsman's switch and the firm overview read and write the synced schedule through this. */
describe('the firm schedules in the local store', () => {
  it('derives the record id the server derives and reads a pulled schedule as one FirmSchedule', () => {
    // Both derive the one record of a firm: a second id would be a second schedule.
    expect(firmScheduleRecordId('glaserei')).toBe(serverRecordId('glaserei'));
    const { store } = openStore();
    const repo = new FirmScheduleRepository(store.writer, () => false);
    expect(repo.list()).toEqual([]);
    store.sync.applyPulled(
      [
        pulled('bundesland', encodeSchedulePart('bundesland', 'HH'), 0),
        pulled('consultation', encodeSchedulePart('consultation', { tue: [{ start: '08:00', end: '12:00' }] }), 1),
      ],
      '3',
    );
    const [entry] = repo.list();
    expect(entry?.tenant).toBe('glaserei');
    expect(entry?.schedule?.bundesland).toBe('HH');
    expect(entry?.schedule?.consultation.tue).toEqual([{ start: '08:00', end: '12:00' }]);
    expect(entry?.schedule?.override).toBeNull();
  });

  it("writes the craftsman's override as one synced field into the outbox", () => {
    const { store, changes } = openStore();
    const repo = new FirmScheduleRepository(store.writer, (tenant) => tenant === 'glaserei');
    store.sync.applyPulled([pulled('bundesland', '"HH"', 0), pulled('consultation', '{}', 1)], '2');
    const override = encodeSchedulePart('override', { mode: 'consultation', until: null });
    const entry = store.write(() => repo.set('glaserei', 'override', override));
    expect(entry.schedule?.override).toEqual({ mode: 'consultation', until: null });
    const pending = store.sync.pendingChanges(10).map((p) => p.change);
    expect(pending).toEqual([
      expect.objectContaining({
        table: 'firm_schedule',
        id: firmScheduleRecordId('glaserei'),
        field: 'override',
        value: override,
      }),
    ]);
    expect(changes).toContainEqual({ table: 'firm_schedule', ids: [firmScheduleRecordId('glaserei')], source: 'local' });
  });

  it("refuses another firm's schedule and a value that is not the part, before anything reaches the outbox", () => {
    const { store } = openStore();
    const repo = new FirmScheduleRepository(store.writer, (tenant) => tenant === 'glaserei');
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof HostError ? error.code : String(error);
      }
      return 'written';
    };
    expect(refusal(() => repo.set('tischlerei', 'override', null))).toBe('forbidden');
    expect(refusal(() => repo.set('glaserei', 'override', '{"mode":"sleeping","until":null}'))).toBe('validation');
    expect(refusal(() => repo.set('glaserei', 'consultation', '{"tue":[{"start":"12:00","end":"08:00"}]}'))).toBe('validation');
    expect(store.sync.pendingCount()).toBe(0);
  });
});
